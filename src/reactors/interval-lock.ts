import type { Redis } from 'ioredis'

/**
 * A lock held for one interval and never released: however many loops of one kind run, one of
 * them works per interval (their commands are idempotent, so an overlap is harmless anyway).
 */
export function createIntervalLock(deps: { redis: Redis; prefix: string; owner: string }) {
  return async (name: string, ttlMs: number): Promise<boolean> =>
    (await deps.redis.set(`${deps.prefix}lock:${name}`, deps.owner, 'PX', ttlMs, 'NX')) === 'OK'
}

export type IntervalLock = ReturnType<typeof createIntervalLock>
