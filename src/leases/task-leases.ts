import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'
import { redisScript } from '../infra/redis-script.ts'

const lua = (name: string): string => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8')

export type TaskLease = Readonly<{ taskId: string; epoch: number; holder: string; pool: string; expiresAt: number }>

/**
 * Run leases of claimed and running tasks, whoever holds them (an HTTP-pulled agent or a worker
 * process): one sorted set by expiry plus one hash per task. Each lease belongs to one fencing
 * epoch (the task's `leaseEpoch`), so a holder whose lease was reaped can neither extend nor
 * release the lease of its successor. The lease reaper turns expired leases into ExpireTaskLease.
 */
export function createTaskLeases(deps: { redis: Redis; prefix: string }) {
  const index = `${deps.prefix}task-leases`
  const hash = (taskId: string) => `${deps.prefix}task-lease:${taskId}`
  const scripts = {
    grant: redisScript(deps.redis, lua('grant')),
    extend: redisScript(deps.redis, lua('extend')),
    release: redisScript(deps.redis, lua('release')),
  }

  const get = async (taskId: string): Promise<TaskLease | undefined> => {
    const [fields, score] = await Promise.all([deps.redis.hgetall(hash(taskId)), deps.redis.zscore(index, taskId)])
    if (!fields.epoch || score === null) return undefined
    return { taskId, epoch: Number(fields.epoch), holder: fields.holder ?? '', pool: fields.pool ?? '', expiresAt: Number(score) }
  }

  return {
    get,
    /** false when a newer epoch already holds the task */
    async grant(lease: TaskLease): Promise<boolean> {
      return (
        (await scripts.grant([index, hash(lease.taskId)], [lease.taskId, lease.epoch, lease.holder, lease.pool, lease.expiresAt])) === 1
      )
    },
    /** false when the lease is gone, lapsed (before `now`) or another epoch holds it: the caller must stop working on the task */
    async extend(taskId: string, epoch: number, expiresAt: number, now: number): Promise<boolean> {
      return (await scripts.extend([index, hash(taskId)], [taskId, epoch, expiresAt, now])) === 1
    },
    /** Whether `epoch` holds the task's lease and it has not lapsed at `now`. */
    async holds(taskId: string, epoch: number, now: number): Promise<boolean> {
      const lease = await get(taskId)
      return lease !== undefined && lease.epoch === epoch && lease.expiresAt >= now
    },
    async release(taskId: string, epoch: number): Promise<boolean> {
      return (await scripts.release([index, hash(taskId)], [taskId, epoch])) === 1
    },
    /** Leases that expired before `now`, oldest first. */
    async expired(now: number, limit = 100): Promise<TaskLease[]> {
      const ids = await deps.redis.zrangebyscore(index, '-inf', now, 'LIMIT', 0, limit)
      const leases = await Promise.all(ids.map((id) => get(id)))
      return leases.filter((l): l is TaskLease => l !== undefined)
    },
  }
}

export type TaskLeases = ReturnType<typeof createTaskLeases>
