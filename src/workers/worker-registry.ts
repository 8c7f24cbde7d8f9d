import { hostname } from 'node:os'
import { sql } from 'kysely'
import type { Db } from '../infra/postgres.ts'

export type WorkerStatus = 'starting' | 'consuming' | 'draining'

export type WorkerHeartbeat = Readonly<{
  workerId: string
  pool: string
  pid: number
  status: WorkerStatus
  inFlight: number
  startedAt: number
}>

/**
 * The worker_processes table. Each worker process writes its own row — what it is doing, how many
 * tasks it holds — on every heartbeat, with an expiry a few heartbeats ahead (the database's
 * clock, so hosts need not agree on time), and deletes it once drained. A process that stops
 * reporting (SIGKILL, a hung event loop, a lost host) is no longer listed once its row expires;
 * its primary also deletes the row when it sees the process exit. The primary adds the pool's
 * lag, which only it measures.
 */
export function createWorkerRegistry(deps: { db: Db }) {
  const host = hostname()
  return {
    async heartbeat(beat: WorkerHeartbeat, ttlMs: number): Promise<void> {
      const expiresAt = sql<Date>`now() + ${`${ttlMs} milliseconds`}::interval`
      await deps.db
        .insertInto('worker_processes')
        .values({
          worker_id: beat.workerId,
          pool: beat.pool,
          host,
          pid: beat.pid,
          status: beat.status,
          in_flight: beat.inFlight,
          lag: 0,
          started_at: new Date(beat.startedAt),
          last_seen_at: sql<Date>`now()`,
          expires_at: expiresAt,
        })
        .onConflict((oc) =>
          oc.column('worker_id').doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            in_flight: eb.ref('excluded.in_flight'),
            pid: eb.ref('excluded.pid'),
            last_seen_at: eb.ref('excluded.last_seen_at'),
            expires_at: eb.ref('excluded.expires_at'),
          })),
        )
        .execute()
    },
    async remove(workerId: string): Promise<void> {
      await deps.db.deleteFrom('worker_processes').where('worker_id', '=', workerId).execute()
    },
    async recordLag(pool: string, lag: number): Promise<void> {
      await deps.db.updateTable('worker_processes').set({ lag }).where('pool', '=', pool).execute()
    },
    /** Rows that expired a while ago: listed by nobody, kept a minute for a look, then deleted. */
    async sweep(pool: string): Promise<void> {
      await deps.db
        .deleteFrom('worker_processes')
        .where('pool', '=', pool)
        .where('expires_at', '<', sql<Date>`now() - interval '1 minute'`)
        .execute()
    },
  }
}

export type WorkerRegistry = ReturnType<typeof createWorkerRegistry>
