import type { Db } from '../infra/postgres.ts'
import { listAllPools, type PoolRecord } from '../projections/pools/pools.queries.ts'
import type { PoolSettings } from './pool-settings.ts'

/** A pool of the pools read model as worker-group settings (the flags and the file override it). */
export const settingsOfRecord = (r: PoolRecord): Partial<PoolSettings> => ({
  pool: r.name,
  handler: r.handler,
  handlerConfig: (r.handler_config ?? {}) as Record<string, unknown>,
  maxAgentsPerProcess: r.max_agents_per_process,
  minWorkers: r.min_workers,
  maxWorkers: r.max_workers,
  lagThreshold: r.lag_threshold,
  scaleIntervalMs: r.scale_interval_ms,
  scaleDownStabilizationMs: r.scale_down_stabilization_ms,
})

/** Pools whose worker groups run: active ones, and draining ones until their last tasks are done. */
export const runnablePools = (db: Db): Promise<PoolRecord[]> =>
  listAllPools(db).then((rows) => rows.filter((r) => r.status === 'active' || r.status === 'draining'))

/** Agents spawned on the pool and not yet terminated: their processes are a floor for scaling. */
export async function hostedAgents(db: Db, pool: string): Promise<number> {
  const row = await db
    .selectFrom('agents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('pool', '=', pool)
    .where('origin', '=', 'spawned')
    .where('status', 'not in', ['terminating', 'terminated', 'deregistered'])
    .executeTakeFirst()
    .catch(() => undefined)
  return Number(row?.n ?? 0)
}
