import type { Db } from '../../database/schema.ts'

/** The worker processes of a pool, as their cluster primaries keep the worker_processes table. */
export const listWorkers = (db: Db, pool: string) =>
  db.selectFrom('worker_processes').selectAll().where('pool', '=', pool).orderBy('started_at').execute()
