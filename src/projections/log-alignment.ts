/** Which Kafka cluster and which incarnation of each topic a group's checkpoints were taken on. */
export type LogIdentity = Readonly<{ clusterId: string; topicIds: ReadonlyMap<string, string> }>

export type RecordedIdentity = Readonly<{ topic: string; clusterId: string; topicId: string }>

export type Checkpoint = Readonly<{ topic: string; partition: number; next_offset: number }>

export type AlignmentProblem =
  | Readonly<{ kind: 'beyond-end'; topic: string; partition: number; position: number; end: number }>
  | Readonly<{ kind: 'other-cluster'; topic: string; recorded: string; current: string }>
  | Readonly<{ kind: 'other-topic'; topic: string; recorded: string; current: string }>

/**
 * Whether a projector group's read models still belong to the log they were built from. A
 * checkpoint past the end of its partition, or taken on another cluster or another incarnation
 * of the topic (deleted and created again, restored, migrated), means every new event would have
 * an offset below the checkpoint and be skipped as already applied: the read model goes blind.
 * Pure: the caller fetches checkpoints, the log's end offsets and identity.
 */
export function checkAlignment(input: {
  checkpoints: readonly Checkpoint[]
  /** high watermark per topic and partition */
  ends: ReadonlyMap<string, ReadonlyMap<number, number>>
  recorded: readonly RecordedIdentity[]
  current: LogIdentity
}): AlignmentProblem[] {
  const problems: AlignmentProblem[] = []
  for (const r of input.recorded) {
    const topicId = input.current.topicIds.get(r.topic)
    if (r.clusterId !== input.current.clusterId)
      problems.push({ kind: 'other-cluster', topic: r.topic, recorded: r.clusterId, current: input.current.clusterId })
    else if (topicId !== undefined && r.topicId !== topicId)
      problems.push({ kind: 'other-topic', topic: r.topic, recorded: r.topicId, current: topicId })
  }
  for (const c of input.checkpoints) {
    const end = input.ends.get(c.topic)?.get(c.partition)
    if (end !== undefined && c.next_offset > end)
      problems.push({ kind: 'beyond-end', topic: c.topic, partition: c.partition, position: c.next_offset, end })
  }
  return problems
}

/** One line for an operator: what is wrong with the group's read models and how to fix it. */
export function describeMisalignment(group: string, problems: readonly AlignmentProblem[]): string {
  const first = problems[0]
  if (!first) return `projector group ${group} is aligned with the log`
  const what =
    first.kind === 'beyond-end'
      ? `its checkpoint on ${first.topic}[${first.partition}] is at ${first.position}, past the log end ${first.end}`
      : first.kind === 'other-cluster'
        ? `it was built from Kafka cluster ${first.recorded}, not ${first.current}`
        : `it was built from another incarnation of ${first.topic} (topic id ${first.recorded}, now ${first.current})`
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
  return `projector group ${group} refuses to run: ${what}${more}; its read models do not belong to this log. Fold them again from the log with \`agentfleet reset --group ${group} --yes\``
}
