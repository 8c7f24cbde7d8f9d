import { sql } from 'kysely'
import { activeTaskStatuses } from '../../commands/pool/pool.state.ts'
import type { Db } from '../../infra/postgres.ts'
import { liveWorkersOfPool } from '../workers/worker-processes.queries.ts'

/** A pool's row with `running_workers`: its worker processes alive now (`workers` is the last scaling decision). */
const selectPools = (db: Db) => db.selectFrom('pools').selectAll().select(liveWorkersOfPool.as('running_workers'))

export const getPool = (db: Db, name: string) => selectPools(db).where('name', '=', name).executeTakeFirst()

export type PoolRecord = NonNullable<Awaited<ReturnType<typeof getPool>>>

/** Every pool row, by name. */
export const listAllPools = (db: Db) => selectPools(db).orderBy('name').execute()

/** By name, keyset-paginated. */
export async function listPools(
  db: Db,
  filters: { role?: string; status?: string },
  limit: number,
  after?: string,
): Promise<{ items: PoolRecord[]; next?: string }> {
  let q = selectPools(db)
  if (filters.role) q = q.where('role', '=', filters.role)
  if (filters.status) q = q.where('status', '=', filters.status)
  if (after) q = q.where('name', '>', after)
  const rows = await q
    .orderBy('name')
    .limit(limit + 1)
    .execute()
  const items = rows.slice(0, limit)
  return { items, next: rows.length > limit ? items[items.length - 1]!.name : undefined }
}

/** Tasks of the pool that are claimed, running or waiting for a human. */
export async function countActiveTasks(db: Db, pool: string): Promise<number> {
  const row = await db
    .selectFrom('tasks')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('pool', '=', pool)
    .where('status', 'in', [...activeTaskStatuses])
    .executeTakeFirst()
  return row?.n ?? 0
}

export async function taskCountsByStatus(db: Db, pool: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('tasks')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .where('pool', '=', pool)
    .groupBy('status')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.status, r.n]))
}

export async function drainingPools(db: Db): Promise<{ name: string; version: number }[]> {
  return db.selectFrom('pools').select(['name', 'version']).where('status', '=', 'draining').execute()
}

/**
 * The version a deleted pool reached: its row is gone, the projector's stream heads still know how
 * far the stream got. Callers read the row first and fall back to this, so a pool row that still
 * exists always wins over a head another projector group already moved.
 */
export async function deletedPoolVersion(db: Db, name: string): Promise<{ version: number; deleted: true } | undefined> {
  const row = await db
    .selectFrom('projector_stream_heads')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('stream', '=', `pool:${name}`)
    .executeTakeFirst()
  return row?.version == null ? undefined : { version: row.version, deleted: true }
}
