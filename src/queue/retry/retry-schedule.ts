import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'
import { redisScript } from '../../infra/redis-script.ts'

export type ScheduledRetry = Readonly<{ taskId: string; attempt: number }>

const memberOf = (r: ScheduledRetry): string => `${r.attempt}|${r.taskId}`
const parse = (member: string): ScheduledRetry => {
  const bar = member.indexOf('|')
  return { attempt: Number(member.slice(0, bar)), taskId: member.slice(bar + 1) }
}

/**
 * Delayed retries in Redis: `retries` zset (member "<attempt>|<task id>", score retryAt) and the
 * `retry-wake` channel that tells sleeping schedulers about an earlier item. Adding the same retry
 * twice is harmless (same member, same score).
 */
export function createRetrySchedule(deps: { redis: Redis; prefix: string }) {
  const key = `${deps.prefix}retries`
  const wakeChannel = `${deps.prefix}retry-wake`
  const takeDue = redisScript(deps.redis, readFileSync(new URL('./lua/take-due.lua', import.meta.url), 'utf8'))

  return {
    wakeChannel,
    async add(retry: ScheduledRetry, retryAt: number): Promise<void> {
      // NX: a redelivered event must not bring back an item a scheduler has hidden while queueing it.
      await deps.redis.zadd(key, 'NX', retryAt, memberOf(retry))
      await deps.redis.publish(wakeChannel, String(retryAt))
    },
    /** retryAt of the earliest item, if any */
    async earliest(): Promise<number | undefined> {
      const [, score] = await deps.redis.zrange(key, '0', '0', 'WITHSCORES')
      return score === undefined ? undefined : Number(score)
    },
    async takeDue(now: number, hideMs: number, limit = 100): Promise<ScheduledRetry[]> {
      const members = (await takeDue([key], [now, now + hideMs, limit])) as string[]
      return members.map(parse)
    },
    async done(retry: ScheduledRetry): Promise<void> {
      await deps.redis.zrem(key, memberOf(retry))
    },
    size: (): Promise<number> => deps.redis.zcard(key),
  }
}

export type RetrySchedule = ReturnType<typeof createRetrySchedule>
