import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'
import type { TaskPriority } from '../events/generated/event-types.ts'
import { redisScript } from '../infra/redis-script.ts'
import { queueScore } from './queue-score.ts'

const lua = (name: string): string => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8')

/** How long a task's last applied version is remembered after it left the queue. */
const rememberS = 7 * 24 * 3600

export type PoppedTask = Readonly<{ taskId: string; pool: string; score: number; queuedVersion: number }>

/**
 * The Redis priority queue per pool that HTTP-pulled agents claim from. Keys (after the prefix):
 * `queue:<pool>` zset of task ids by score, `queue-task:<id>` hash {v, pool, score} with the last
 * applied event version (events older than it change nothing), `queue-wake:<pool>` pub/sub
 * channel announcing new entries to long-polling claims.
 */
export function createTaskQueue(deps: { redis: Redis; prefix: string }) {
  const queuePrefix = `${deps.prefix}queue:`
  const entryPrefix = `${deps.prefix}queue-task:`
  const queueKey = (pool: string) => `${queuePrefix}${pool}`
  const entryKey = (taskId: string) => `${entryPrefix}${taskId}`
  const wakeChannel = (pool: string) => `${deps.prefix}queue-wake:${pool}`
  const scripts = {
    enqueue: redisScript(deps.redis, lua('enqueue')),
    remove: redisScript(deps.redis, lua('remove')),
    pop: redisScript(deps.redis, lua('pop')),
    restore: redisScript(deps.redis, lua('restore')),
  }

  return {
    wakeChannel,
    wakePattern: `${deps.prefix}queue-wake:*`,
    /** true when queued; false when a newer event of the task was already applied */
    async enqueue(e: { taskId: string; pool: string; priority: TaskPriority; version: number; queuedAt: number }): Promise<boolean> {
      const score = queueScore(e.priority, e.queuedAt)
      return (
        (await scripts.enqueue(
          [entryKey(e.taskId), queueKey(e.pool)],
          [e.taskId, e.version, e.pool, score, queuePrefix, wakeChannel(e.pool)],
        )) === 1
      )
    },
    async remove(taskId: string, version: number): Promise<boolean> {
      return (await scripts.remove([entryKey(taskId)], [taskId, version, queuePrefix, rememberS])) === 1
    },
    async pop(pool: string): Promise<PoppedTask | undefined> {
      const got = (await scripts.pop([queueKey(pool)], [entryPrefix])) as [string, string, string] | null
      return got ? { taskId: got[0], pool, score: Number(got[1]), queuedVersion: Number(got[2]) } : undefined
    },
    /** Puts a popped task back where it was, unless it moved on since; `wake` announces it to waiting claims. */
    async restore(t: PoppedTask, wake = true): Promise<boolean> {
      return (
        (await scripts.restore(
          [entryKey(t.taskId), queueKey(t.pool)],
          [t.taskId, t.queuedVersion, t.score, wake ? wakeChannel(t.pool) : ''],
        )) === 1
      )
    },
    depth: (pool: string): Promise<number> => deps.redis.zcard(queueKey(pool)),
    /** Task ids in claim order. */
    peek: (pool: string, limit = 100): Promise<string[]> => deps.redis.zrange(queueKey(pool), '0', String(limit - 1)),
  }
}

export type TaskQueue = ReturnType<typeof createTaskQueue>
