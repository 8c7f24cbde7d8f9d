import { sql } from 'kysely'
import type { AppendHealth } from '../../eventstore/append-health.ts'
import type { Db } from '../../infra/postgres.ts'
import { probeAll, type Probes } from '../../infra/probes.ts'
import type { AnyHono } from '../any-hono.ts'

/** Conflicts counted up to this many: the check stays one cheap, bounded query however many pile up. */
const conflictCountCap = 1_000

export type ConflictsCheck =
  | Readonly<{ status: 'ok' }>
  | Readonly<{
      status: 'failing'
      /** rows in event_conflicts, counted up to `conflictCountCap` */
      count: number
      countCapped: boolean
      latest: Readonly<{ group: string; stream: string; kind: string; detectedAt: string }> | undefined
      action: string
    }>
  | Readonly<{ status: 'unknown'; error: string }>

const withTimeout = <T>(work: Promise<T>, ms: number): Promise<T> =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())])

/** Whether projector groups recorded version conflicts (two events of one version, or a gap) in event_conflicts. */
export async function checkEventConflicts(db: Db, timeoutMs = 2_000): Promise<ConflictsCheck> {
  try {
    return await withTimeout(
      (async (): Promise<ConflictsCheck> => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from (select 1 from event_conflicts limit ${conflictCountCap}) c`.execute(db)
        const count = rows[0]?.n ?? 0
        if (count === 0) return { status: 'ok' }
        const latest = await db
          .selectFrom('event_conflicts')
          .select(['consumer', 'stream', 'kind', 'detected_at'])
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst()
        return {
          status: 'failing',
          count,
          countCapped: count >= conflictCountCap,
          latest: latest && {
            group: latest.consumer,
            stream: latest.stream,
            kind: latest.kind,
            detectedAt: new Date(latest.detected_at as unknown as Date).toISOString(),
          },
          action: 'events were skipped by the projectors: see GET /api/v1/system/status (conflicts) and run `agentfleet verify`',
        }
      })(),
      timeoutMs,
    )
  } catch (error) {
    return { status: 'unknown', error: (error as Error).message }
  }
}

/**
 * `/health`: the process is alive. `/health/ready`: every dependency answers, with latencies,
 * and the read side has no version conflicts.
 *
 * A dependency down answers 503: this process cannot serve, so a load balancer should send
 * traffic elsewhere. Event conflicts answer 200 with status `degraded` and a failing
 * `checks.eventConflicts`: they are a data problem every API process shares (one event_conflicts
 * table), so a 503 would take all of them out of the load balancer at once — an outage that fixes
 * nothing, while commands (which never read read models) and most reads still work. Operators see
 * it in this body, on the dashboard (status `degraded`) and through the `agentfleet_event_conflicts`
 * metric and its alert (deploy/prometheus/agentfleet-alerts.yml).
 */
export function registerHealthRoutes(app: AnyHono, deps: { probes: Probes; startedAt: number; db?: Db; appends?: AppendHealth }): void {
  app.get('/health', (c) => c.json({ status: 'ok', uptimeS: Math.round((Date.now() - deps.startedAt) / 1000) }))
  app.get('/health/ready', async (c) => {
    const [results, conflicts] = await Promise.all([
      probeAll(deps.probes),
      deps.db ? checkEventConflicts(deps.db) : Promise.resolve(undefined),
    ])
    // Appends failing while every probe answers (a broker back but not serving yet) still means this process cannot write.
    const appends = deps.appends?.status(Date.now())
    const ready = results.every((r) => r.ok) && appends?.ok !== false
    const healthy = ready && conflicts?.status !== 'failing'
    return c.json(
      {
        status: healthy ? 'ready' : 'degraded',
        dependencies: Object.fromEntries(
          results.map((r) => [r.service, { status: r.ok ? 'up' : 'down', latencyMs: r.latencyMs, ...(r.error ? { error: r.error } : {}) }]),
        ),
        checks: {
          ...(conflicts ? { eventConflicts: conflicts } : {}),
          ...(appends
            ? {
                appends: appends.ok
                  ? { status: 'ok' }
                  : {
                      status: 'failing',
                      failingForMs: appends.failingSinceMs,
                      error: appends.error,
                      action: 'appends to Kafka fail: see the broker',
                    },
              }
            : {}),
        },
      },
      ready ? 200 : 503,
    )
  })
}
