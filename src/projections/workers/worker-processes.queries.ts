import { sql } from 'kysely'
import type { Db } from '../../database/schema.ts'

/** A row stands for a live process while its expiry, which each heartbeat moves on, lies ahead. */
const live = sql<boolean>`expires_at > now()`

/** The live worker processes of a pool, oldest first. */
export const listWorkers = (db: Db, pool: string) =>
  db.selectFrom('worker_processes').selectAll().where('pool', '=', pool).where(live).orderBy('started_at').execute()

/** How many worker processes of the pool are live. */
export async function countWorkers(db: Db, pool: string): Promise<number> {
  const row = await db
    .selectFrom('worker_processes')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('pool', '=', pool)
    .where(live)
    .executeTakeFirst()
  return row?.n ?? 0
}

/** Live worker processes per pool and status. */
export const workersByPoolAndStatus = (db: Db) =>
  db
    .selectFrom('worker_processes')
    .select(['pool', 'status', sql<number>`count(*)::int`.as('n')])
    .where(live)
    .groupBy(['pool', 'status'])
    .execute()

/** The live-worker count of a pool as a column of a query over `pools`. */
export const liveWorkersOfPool = sql<number>`(select count(*)::int from worker_processes w where w.pool = pools.name and w.expires_at > now())`
