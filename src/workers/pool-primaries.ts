import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'
import { redisScript } from '../infra/redis-script.ts'

const lua = (name: string) => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8')

export type PrimariesView = Readonly<{
  /** this primary decides the pool-wide target this poll (and records it as PoolScaled) */
  scaler: boolean
  /** the pool-wide target of worker processes the scaler published last; undefined before the first */
  desired: number | undefined
  /** every live primary of the pool, in a stable order */
  members: readonly string[]
}>

/**
 * The primaries (`workers --pool P`, on one host or many) that run one pool, as Redis sees them:
 * each is a member while it polls (its entry expires after `ttlMs`), one of them holds the scaler
 * lease and publishes the pool-wide target, and every one runs its share of it, reserving each
 * process against the others' counts. Keys share one hash tag, so the scripts also run on Redis
 * Cluster.
 */
export function createPoolPrimaries(deps: { redis: Redis; prefix: string; pool: string; me: string }) {
  const pollScript = redisScript(deps.redis, lua('pool-primaries'))
  const reserveScript = redisScript(deps.redis, lua('pool-reserve'))
  const tag = `${deps.prefix}{pool-primaries:${deps.pool}}`
  const keys = [`${tag}:members`, `${tag}:scaler`, `${tag}:desired`, `${tag}:counts`]
  return {
    /** Renews this primary's membership for `ttlMs` (a few scaling intervals) and reads the pool's view. */
    async poll(ttlMs: number): Promise<PrimariesView> {
      const [scaler, desired, ...members] = (await pollScript(keys, [deps.me, ttlMs])) as [number, string | null, ...string[]]
      return { scaler: scaler === 1, desired: desired === null ? undefined : Number(desired), members }
    },
    /** The scaler's pool-wide target; kept until the next one (a new scaler starts from it). */
    async publish(desired: number, ttlMs: number): Promise<void> {
      await deps.redis.set(keys[2]!, String(desired), 'PX', ttlMs * 10)
    },
    /**
     * How many processes this primary runs from now: down to its share when above it, otherwise
     * up to its share as far as the others' reported counts leave room under the target. Reserved
     * atomically, so two primaries growing at once never overshoot the target together.
     */
    async reserve(current: number, share: number, target: number): Promise<number> {
      return Number(await reserveScript([keys[0]!, keys[3]!], [deps.me, current, share, target]))
    },
    /** Leaves at once on shutdown, so the others take over its share without waiting for the expiry. */
    async leave(): Promise<void> {
      await deps.redis.zrem(keys[0]!, deps.me)
      await deps.redis.hdel(keys[3]!, deps.me)
      if ((await deps.redis.get(keys[1]!)) === deps.me) await deps.redis.del(keys[1]!)
    },
  }
}

export type PoolPrimaries = ReturnType<typeof createPoolPrimaries>

/**
 * This primary's part of a pool-wide target: the target split evenly over the live primaries,
 * the first ones in `members` order taking one more each while there is a remainder. The shares
 * always add up to the target, so the pool never runs more than maxWorkers processes in all.
 */
export function shareOf(desired: number, members: readonly string[], me: string): number {
  const index = members.indexOf(me)
  if (index < 0 || members.length === 0) return 0
  const base = Math.floor(desired / members.length)
  return base + (index < desired % members.length ? 1 : 0)
}
