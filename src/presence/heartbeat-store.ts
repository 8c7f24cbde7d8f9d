import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'
import { redisScript } from '../infra/redis-script.ts'

const lua = (name: string): string => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8')

export type LastSeen = Readonly<{ agentId: string; at: number }>

/**
 * Heartbeats are not events: each one sets the agent's alive key (TTL = heartbeat timeout, so
 * Redis' own clock decides expiry whatever the clocks of the API hosts) and its score in a
 * sorted set of last-seen times, which is the health monitor's index of agents to watch and
 * keeps the time of the last heartbeat after the alive key expired.
 */
export function createHeartbeatStore(deps: { redis: Redis; prefix: string; timeoutMs: number }) {
  const { redis, prefix, timeoutMs } = deps
  const lastSeenKey = `${prefix}agents:last-seen`
  const aliveKey = (id: string) => `${prefix}agents:alive:${id}`
  const scripts = { record: redisScript(redis, lua('heartbeat-record')), forget: redisScript(redis, lua('heartbeat-forget')) }

  return {
    /** true when the agent was watched already; false when the monitor had let it go (or it is new) */
    async record(agentId: string, at: number): Promise<boolean> {
      return (await scripts.record([lastSeenKey, aliveKey(agentId)], [at, agentId, timeoutMs])) === 1
    },
    async lastSeen(agentIds: readonly string[]): Promise<Map<string, number>> {
      if (agentIds.length === 0) return new Map()
      const scores = await redis.zmscore(lastSeenKey, ...agentIds)
      return new Map(agentIds.flatMap((id, i) => (scores[i] == null ? [] : [[id, Number(scores[i])] as const])))
    },
    /** Watched agents last seen before `cutoff` whose alive key has expired. */
    async stale(cutoff: number, limit: number): Promise<LastSeen[]> {
      const flat = await redis.zrangebyscore(lastSeenKey, '-inf', cutoff, 'WITHSCORES', 'LIMIT', 0, limit)
      const candidates: LastSeen[] = []
      for (let i = 0; i < flat.length; i += 2) candidates.push({ agentId: flat[i]!, at: Number(flat[i + 1]) })
      if (candidates.length === 0) return []
      const alive = await redis.mget(...candidates.map((c) => aliveKey(c.agentId)))
      return candidates.filter((_, i) => alive[i] === null)
    },
    /** Stops watching after the agent was marked offline, unless a heartbeat arrived meanwhile. */
    async forget(seen: LastSeen): Promise<void> {
      await scripts.forget([lastSeenKey], [seen.agentId, seen.at])
    },
    /** A deregistered or terminated agent is no longer watched. */
    async remove(agentId: string): Promise<void> {
      await redis.multi().zrem(lastSeenKey, agentId).del(aliveKey(agentId)).exec()
    },
  }
}

export type HeartbeatStore = ReturnType<typeof createHeartbeatStore>
