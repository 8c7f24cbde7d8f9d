import type { Db } from '../src/infra/postgres.ts'
import type { Ledger } from './ledger.ts'
import { sleep, waitFor } from './wait.ts'

/** When a probe answered, in ms after the moment it was measured from; undefined: not within the timeout. */
export type Recovery = number | undefined

type Row = Readonly<{ status: string; started_at: unknown }>

/**
 * The recovery probes. Each is asked right after a fault (or the restart that ends it) and says
 * when the system did its part again, measured from `since`:
 * - healthy: GET /health answers 200;
 * - visible / started / completed: a probe task submitted now (retried like any client) is in
 *   the tasks read model / has been started by a worker / is completed;
 * - reaped: a task whose HTTP claim was left to lapse is taken from its holder by the lease reaper.
 * Probe tasks are CRITICAL (the load never is), so they do not queue behind the backlog a fault let
 * build up: a recovery time says when the system works again, not how long the backlog took to drain.
 */
export function createProbes(deps: { ledger: Ledger; db: Db; url: string; pullPool: string; timeoutMs: number }) {
  let n = 0
  const row = (id: string): Promise<Row | undefined> =>
    deps.db.selectFrom('tasks').select(['status', 'started_at']).where('id', '=', id).executeTakeFirst()

  const taskReaches = async (label: string, since: number, until: (r: Row) => boolean): Promise<Recovery> => {
    const outcome = await deps.ledger.submit(`p-${label}-${++n}`, 'probe', { priority: 'CRITICAL' })
    if (outcome.kind !== 'acknowledged') return undefined
    const left = deps.timeoutMs - (Date.now() - since)
    const at = await waitFor(async () => {
      const r = await row(outcome.taskId)
      return r && until(r) ? Date.now() : undefined
    }, left)
    return at === undefined ? undefined : at - since
  }

  return {
    async healthy(since: number): Promise<Recovery> {
      const at = await waitFor(
        async () => ((await fetch(`${deps.url}/health`, { signal: AbortSignal.timeout(1_000) })).ok ? Date.now() : undefined),
        deps.timeoutMs,
        25,
      )
      return at === undefined ? undefined : at - since
    },
    visible: (label: string, since: number) => taskReaches(label, since, () => true),
    started: (label: string, since: number) => taskReaches(label, since, (r) => r.started_at !== null),
    completed: (label: string, since: number) => taskReaches(label, since, (r) => r.status === 'completed'),

    /**
     * Creates a task in the pull pool (one attempt) and claims it over HTTP with a 3 s lease that
     * nobody extends. Returns the task id and when its lease lapses, once the read model shows
     * the claim (so that `reaped` cannot mistake a lagging read model for a reaped task).
     */
    async lapsingClaim(label: string): Promise<{ taskId: string; lapsesAt: number } | undefined> {
      const leaseMs = 3_000
      const outcome = await deps.ledger.submit(`l-${label}-${++n}`, 'lease-probe', { pool: deps.pullPool, maxAttempts: 1 })
      if (outcome.kind !== 'acknowledged') return undefined
      for (let tries = 0; tries < 10; tries++) {
        const response = await fetch(`${deps.url}/api/v1/queue/claim`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ agentId: 'chaos-lease-probe', pool: deps.pullPool, leaseMs, wait: 5 }),
        }).catch(() => undefined)
        if (response?.status === 200) {
          const claimed = (await response.json()) as { id: string; leaseExpiresAt: string }
          if (claimed.id !== outcome.taskId) continue
          const seen = await waitFor(async () => ((await row(claimed.id))?.status === 'claimed' ? true : undefined), leaseMs)
          return seen ? { taskId: claimed.id, lapsesAt: Date.parse(claimed.leaseExpiresAt) } : undefined
        } else await sleep(200)
      }
      return undefined
    },
    /** Waits until the lapsed claim of `taskId` is reaped (the task leaves `claimed`). */
    async reaped(taskId: string, since: number): Promise<Recovery> {
      const at = await waitFor(async () => {
        const r = await row(taskId)
        return r && r.status !== 'claimed' ? Date.now() : undefined
      }, deps.timeoutMs)
      return at === undefined ? undefined : at - since
    },
  }
}

export type Probes = ReturnType<typeof createProbes>
