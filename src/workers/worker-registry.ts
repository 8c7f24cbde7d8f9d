import { hostname } from 'node:os'
import type { Db } from '../infra/postgres.ts'

export type WorkerRow = Readonly<{
  workerId: string
  pool: string
  pid: number | undefined
  status: 'starting' | 'consuming' | 'draining'
  inFlight: number
  lag: number
  startedAt: number
}>

/**
 * The worker_processes table as the cluster primary keeps it: one row per live worker process,
 * refreshed every scaling poll, removed when the process exits. Rows a killed primary left behind
 * are swept when they are older than `staleMs`.
 */
export function createWorkerRegistry(deps: { db: Db; clock: () => number }) {
  const host = hostname()
  return {
    async upsert(rows: readonly WorkerRow[]): Promise<void> {
      if (rows.length === 0) return
      const now = new Date(deps.clock())
      await deps.db
        .insertInto('worker_processes')
        .values(
          rows.map((r) => ({
            worker_id: r.workerId,
            pool: r.pool,
            host,
            pid: r.pid ?? null,
            status: r.status,
            in_flight: r.inFlight,
            lag: r.lag,
            started_at: new Date(r.startedAt),
            last_seen_at: now,
          })),
        )
        .onConflict((oc) =>
          oc.column('worker_id').doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            in_flight: eb.ref('excluded.in_flight'),
            lag: eb.ref('excluded.lag'),
            pid: eb.ref('excluded.pid'),
            last_seen_at: eb.ref('excluded.last_seen_at'),
          })),
        )
        .execute()
    },
    async remove(workerId: string): Promise<void> {
      await deps.db.deleteFrom('worker_processes').where('worker_id', '=', workerId).execute()
    },
    async sweep(pool: string, staleMs: number): Promise<void> {
      await deps.db
        .deleteFrom('worker_processes')
        .where('pool', '=', pool)
        .where('last_seen_at', '<', new Date(deps.clock() - staleMs))
        .execute()
    },
  }
}
