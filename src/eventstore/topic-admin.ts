import type { Admin } from 'kafkajs'
import { pollUntil } from '../infra/retry.ts'
import { eventTopic } from '../events/topics.ts'

export type TopicPlan = Readonly<{ topic: string; partitions: number; config: Readonly<Record<string, string>> }>

/** Event topics are the source of truth: kept forever, never compacted. */
export const eventTopicConfig = {
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'cleanup.policy': 'delete',
  'min.insync.replicas': '1',
} as const

export const eventTopicPlans = (prefix: string, aggregates: readonly string[], partitions: number): TopicPlan[] =>
  aggregates.map((a) => ({ topic: eventTopic(prefix, a), partitions, config: eventTopicConfig }))

/** Creates missing topics; existing ones are left as they are (partitions never shrink). */
export async function ensureTopics(admin: Admin, plans: readonly TopicPlan[]): Promise<{ created: string[]; existing: string[] }> {
  const existing = new Set(await admin.listTopics())
  const missing = plans.filter((p) => !existing.has(p.topic))
  if (missing.length > 0) {
    // kafkajs' own wait for leaders gives up on the retriable "does not host this topic-partition"
    // that a fresh topic answers for a moment; untilServed waits through it.
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((p) => ({
        topic: p.topic,
        numPartitions: p.partitions,
        replicationFactor: -1,
        configEntries: Object.entries(p.config).map(([name, value]) => ({ name, value })),
      })),
    })
    await untilServed(
      admin,
      missing.map((p) => p.topic),
    )
  }
  return { created: missing.map((p) => p.topic), existing: plans.filter((p) => existing.has(p.topic)).map((p) => p.topic) }
}

/**
 * A new topic's metadata reaches every listener a moment after its leaders are elected; until
 * then metadata requests fail with a retriable "does not host this topic-partition".
 */
async function untilServed(admin: Admin, topics: readonly string[], timeoutMs = 15_000): Promise<void> {
  const served = async (): Promise<true | undefined> => {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: [...topics] })
      return meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)) || undefined
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable) return undefined
      throw error
    }
  }
  // Past the deadline the caller's own request reports whatever is still wrong.
  await pollUntil(served, { timeoutMs, minMs: 20, maxMs: 500 })
}

/** Partition count of each topic, for computing an aggregate's partition before sending. */
export async function partitionCounts(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  await untilServed(admin, topics)
  const { topics: meta } = await admin.fetchTopicMetadata({ topics: [...topics] })
  return new Map(meta.map((t) => [t.name, t.partitions.length]))
}
