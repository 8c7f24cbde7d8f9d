import type { Admin } from 'kafkajs'
import { retry } from './retry.ts'

type Offsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>

/**
 * admin.fetchTopicOffsets, asked again a few times: right after topics are created or deleted
 * (by any client of the cluster) kafkajs can answer from metadata that lacks the topic, and
 * then fails with a retriable protocol error or a TypeError from inside kafkajs.
 */
export const topicOffsets = (admin: Admin, topic: string, attempts = 6): Promise<Offsets> =>
  retry(() => admin.fetchTopicOffsets(topic), { attempts, minMs: 100, maxMs: 2_000 })
