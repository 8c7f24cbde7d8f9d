import { setTimeout as sleep } from 'node:timers/promises'
import type { Admin } from 'kafkajs'

type Offsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>

/**
 * admin.fetchTopicOffsets, asked again a few times: right after topics are created or deleted
 * (by any client of the cluster) kafkajs can answer from metadata that lacks the topic, and
 * then fails with a retriable protocol error or a TypeError from inside kafkajs.
 */
export async function topicOffsets(admin: Admin, topic: string, attempts = 6): Promise<Offsets> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic)
    } catch (error) {
      if (attempt >= attempts) throw error
      await sleep(50 * 2 ** attempt)
    }
  }
}
