import cluster, { type Worker } from 'node:cluster'
import type { Logger } from '../infra/logger.ts'

export type ApiClusterDeps = Readonly<{
  workers: number
  logger: Logger
  /** resolves when the supervisor is asked to stop */
  untilSignal: () => Promise<unknown>
  /** longest wait for workers to finish their requests and exit */
  stopTimeoutMs?: number
}>

/**
 * The cluster primary of `agentfleet api --workers N`: it only supervises. Workers share the
 * listening socket (the primary hands connections out round-robin), each with its own write
 * side, stream tail consumer and metrics registry. A worker that dies is replaced, with a
 * growing delay when it keeps dying; on SIGINT/SIGTERM every worker is asked to stop.
 */
export async function superviseApiWorkers(deps: ApiClusterDeps): Promise<void> {
  let stopping = false
  let recentDeaths = 0
  const fork = (): Worker => {
    const worker = cluster.fork()
    worker.once('exit', (code, signal) => {
      if (stopping) return
      recentDeaths++
      setTimeout(() => {
        recentDeaths = Math.max(0, recentDeaths - 1)
      }, 60_000).unref()
      const delay = Math.min(10_000, 100 * 2 ** Math.min(recentDeaths, 7))
      deps.logger.error({ pid: worker.process.pid, code, signal, restartInMs: delay }, 'api worker exited; replacing it')
      setTimeout(() => {
        if (!stopping) fork()
      }, delay).unref()
    })
    return worker
  }
  for (let i = 0; i < deps.workers; i++) fork()
  deps.logger.info({ workers: deps.workers }, 'api cluster supervising')

  await deps.untilSignal()
  stopping = true
  const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead())
  await Promise.all(
    running.map(
      (w) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            w.process.kill('SIGKILL')
          }, deps.stopTimeoutMs ?? 15_000)
          w.once('exit', () => {
            clearTimeout(timer)
            resolve()
          })
          w.process.kill('SIGTERM')
        }),
    ),
  )
  deps.logger.info('api cluster stopped')
}

export const isClusterWorker = (): boolean => cluster.isWorker

/** A worker's IPC channel keeps it alive: a stopped worker lets go of it so the process can exit. */
export const leaveCluster = (): void => {
  if (cluster.isWorker) cluster.worker?.disconnect()
}
