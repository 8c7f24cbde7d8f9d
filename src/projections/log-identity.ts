import type { Admin as KafkaAdmin } from 'kafkajs'
import type { Config } from '../config.ts'
import type { Db } from '../database/schema.ts'
import { createAdmin } from '../infra/kafka-clients.ts'
import { topicOffsets } from '../infra/topic-offsets.ts'
import { readCheckpoints } from './checkpoints.ts'
import { checkAlignment, type AlignmentProblem, type LogIdentity } from './log-alignment.ts'

/** The cluster id and the topic ids (Kafka's UUID of each incarnation) of `topics`, from the brokers' metadata. */
export async function currentLogIdentity(config: Pick<Config, 'kafka' | 'append'>, topics: readonly string[]): Promise<LogIdentity> {
  const admin = createAdmin(config, 'agentfleet-log-identity')
  try {
    const meta = await admin.metadata({ topics: [...topics] })
    return { clusterId: meta.id, topicIds: new Map([...meta.topics].map(([name, t]) => [name, t.id])) }
  } finally {
    await admin.close()
  }
}

export type AlignmentDeps = Readonly<{
  db: Db
  admin: KafkaAdmin
  config: Pick<Config, 'kafka' | 'append'>
}>

/**
 * Checks a projector group against the log it reads (see checkAlignment). A group that is aligned
 * and has no identity on record yet (first start, or after a reset) records the current one.
 */
export async function alignGroup(deps: AlignmentDeps, consumer: string, topics: readonly string[]): Promise<AlignmentProblem[]> {
  const [current, checkpoints, recorded, ends] = await Promise.all([
    currentLogIdentity(deps.config, topics),
    readCheckpoints(deps.db, consumer),
    deps.db.selectFrom('projector_log_identity').select(['topic', 'cluster_id', 'topic_id']).where('consumer', '=', consumer).execute(),
    Promise.all(
      topics.map(async (t) => [t, new Map((await topicOffsets(deps.admin, t)).map((o) => [o.partition, Number(o.high)]))] as const),
    ),
  ])
  const problems = checkAlignment({
    checkpoints: checkpoints.filter((c) => topics.includes(c.topic)),
    ends: new Map(ends),
    recorded: recorded.map((r) => ({ topic: r.topic, clusterId: r.cluster_id, topicId: r.topic_id })),
    current,
  })
  if (problems.length === 0) {
    const rows = topics.flatMap((t) => {
      const topicId = current.topicIds.get(t)
      return topicId ? [{ consumer, topic: t, cluster_id: current.clusterId, topic_id: topicId }] : []
    })
    if (rows.length > 0)
      await deps.db
        .insertInto('projector_log_identity')
        .values(rows)
        .onConflict((c) => c.columns(['consumer', 'topic']).doNothing())
        .execute()
  }
  return problems
}
