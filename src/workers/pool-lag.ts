import type { Admin } from 'kafkajs'
import { laneTopics, workerGroup } from '../dispatch/dispatch-topics.ts'
import { topicOffsets } from '../infra/topic-offsets.ts'

export type PoolLag = Readonly<{ lag: number; byTopic: Readonly<Record<string, number>>; partitions: number; timeLagMs: number }>

/**
 * Consumer-group lag of a pool over its lanes (log end − committed offset; no commit yet counts
 * from the log start). The time-lag is how long the oldest waiting record of a partition has
 * been observed waiting: the committed offset that has not moved while lag remained.
 */
export function createPoolLagProbe(deps: { admin: Admin; prefix: string; pool: string; clock: () => number }) {
  const topics = laneTopics(deps.prefix, deps.pool)
  const stuckSince = new Map<string, { offset: string; since: number }>()
  return async function probe(): Promise<PoolLag> {
    const now = deps.clock()
    const [committed, ends] = await Promise.all([
      deps.admin.fetchOffsets({ groupId: workerGroup(deps.prefix, deps.pool), topics }),
      Promise.all(topics.map(async (topic) => ({ topic, offsets: await topicOffsets(deps.admin, topic) }))),
    ])
    const byTopic: Record<string, number> = {}
    let lag = 0
    let partitions = 0
    let timeLagMs = 0
    for (const { topic, offsets } of ends) {
      const group = committed.find((c) => c.topic === topic)
      byTopic[topic] = 0
      for (const o of offsets) {
        partitions++
        const c = group?.partitions.find((p) => p.partition === o.partition)?.offset
        const from = c === undefined || Number(c) < 0 ? Number(o.low) : Number(c)
        const behind = Math.max(0, Number(o.high) - from)
        byTopic[topic] += behind
        lag += behind
        const key = `${topic}:${o.partition}`
        if (behind === 0) {
          stuckSince.delete(key)
          continue
        }
        const prev = stuckSince.get(key)
        if (!prev || prev.offset !== String(from)) stuckSince.set(key, { offset: String(from), since: now })
        timeLagMs = Math.max(timeLagMs, now - (stuckSince.get(key)?.since ?? now))
      }
    }
    return { lag, byTopic, partitions: partitions / Math.max(1, topics.length), timeLagMs }
  }
}
