import { sql } from 'kysely'
import type { Redis } from '../../src/infra/redis.ts'
import type { Fault } from './fault.ts'

/** Ids of the Redis clients named `name` (CLIENT LIST: one line of key=value fields per client). */
async function redisClientsNamed(redis: Redis, name: string): Promise<string[]> {
  const list = (await redis.call('CLIENT', 'LIST')) as string
  return list
    .split('\n')
    .map((line) => Object.fromEntries(line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])))
    .filter((fields) => fields.name === name && fields.id)
    .map((fields) => fields.id as string)
}

/**
 * Faults of the shared Postgres and Redis that touch only this run: connections are picked by the
 * application_name / client name every role of the run sets, keys by the run's Redis prefix.
 */
export const infraFaults: readonly Fault[] = [
  {
    name: 'postgres-backends',
    does: "pg_terminate_backend of every Postgres connection of the run's roles (application_name = the run's tag)",
    measure: 'terminate → a probe task submitted after it is completed',
    fullOnly: false,
    async inject(ctx) {
      const { rows } = await sql<{ pid: number }>`
        select pid from pg_stat_activity
        where datname = current_database() and application_name = ${ctx.tag} and pid <> pg_backend_pid()`.execute(ctx.db)
      await sql`select pg_terminate_backend(pid) from unnest(${rows.map((r) => r.pid)}::int[]) as pid`.execute(ctx.db)
      const t0 = Date.now()
      if (rows.length === 0) return { recoveryMs: undefined, note: 'no backend of the run found: application_name not set?' }
      return { recoveryMs: await ctx.probes.completed('postgres', t0), note: `${rows.length} backends terminated` }
    },
  },
  {
    name: 'redis-clients',
    does: "CLIENT KILL of every Redis connection of the run's roles (client name = the run's tag)",
    measure: 'kill → a probe task submitted after it is completed',
    fullOnly: true,
    async inject(ctx) {
      const ids = await redisClientsNamed(ctx.redis, ctx.tag)
      for (const id of ids) await ctx.redis.call('CLIENT', 'KILL', 'ID', id)
      const t0 = Date.now()
      if (ids.length === 0) return { recoveryMs: undefined, note: 'no Redis client of the run found: client name not set?' }
      return { recoveryMs: await ctx.probes.completed('redis-clients', t0), note: `${ids.length} clients killed` }
    },
  },
  {
    name: 'redis-keys',
    does: "delete every Redis key under the run's prefix (write slots, state cache, leases, idempotency keys, retry schedule)",
    measure: 'delete → a probe task submitted after it is completed',
    fullOnly: true,
    async inject(ctx) {
      let deleted = 0
      let cursor = '0'
      do {
        const [next, keys] = await ctx.redis.scan(cursor, 'MATCH', `${ctx.redisPrefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1_000)
        cursor = next
        if (keys.length > 0) deleted += await ctx.redis.unlink(...keys)
      } while (cursor !== '0')
      const t0 = Date.now()
      return { recoveryMs: await ctx.probes.completed('redis-keys', t0), note: `${deleted} keys deleted` }
    },
  },
]
