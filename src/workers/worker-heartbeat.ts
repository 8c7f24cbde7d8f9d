import type { Logger } from '../infra/logger.ts'
import type { WorkerRegistry, WorkerStatus } from './worker-registry.ts'

export type WorkerHeartbeatDeps = Readonly<{
  registry: WorkerRegistry
  workerId: string
  pool: string
  intervalMs: number
  /** what the process is doing now */
  state: () => Readonly<{ status: WorkerStatus; inFlight: number }>
  logger: Pick<Logger, 'debug' | 'warn'>
}>

/** Heartbeats missed before a row counts as gone: one late beat under load is not a death. */
export const missedBeatsToExpire = 3

/**
 * A worker process reporting itself in worker_processes: at once, on every interval and whenever
 * its status changes (`beat`), each time with an expiry a few intervals ahead; `stop` deletes the
 * row. A failed beat is only logged: the next one repairs the row, and an expired row is exactly
 * what a process that cannot reach the database should look like.
 */
export function startWorkerHeartbeat(deps: WorkerHeartbeatDeps) {
  const startedAt = Date.now()
  const ttlMs = deps.intervalMs * missedBeatsToExpire
  const beat = async (): Promise<void> => {
    const { status, inFlight } = deps.state()
    await deps.registry
      .heartbeat({ workerId: deps.workerId, pool: deps.pool, pid: process.pid, status, inFlight, startedAt }, ttlMs)
      .catch((error: unknown) => deps.logger.debug({ err: error }, 'worker heartbeat not written'))
  }
  void beat()
  const timer = setInterval(() => void beat(), deps.intervalMs)
  timer.unref()
  return {
    beat,
    async stop(): Promise<void> {
      clearInterval(timer)
      await deps.registry
        .remove(deps.workerId)
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'worker row not removed; it expires by itself'))
    },
  }
}
