import cluster from 'node:cluster'
import { hostname } from 'node:os'
import { AppError } from '../errors.ts'
import type { Logger } from '../infra/logger.ts'
import { createWriteSide } from '../commands/write-side.ts'
import type { Services } from '../infra/services.ts'
import { abortError } from './handlers/handler.ts'
import { loadHandler } from './handlers/load-handler.ts'
import { subscribeCancellations } from '../dispatch/cancellations.ts'
import { createDispatchChannel } from '../dispatch/dispatch-channel.ts'
import { createDispatchConsumer } from './dispatch-consumer.ts'
import { createTaskLeases } from '../leases/task-leases.ts'
import type { PoolSettings } from './pool-settings.ts'
import { createTaskRunner } from './task-runner.ts'
import { startWorkerHeartbeat } from './worker-heartbeat.ts'
import { createWorkerRegistry, type WorkerStatus } from './worker-registry.ts'

/** Messages between a worker process and its primary (over the cluster IPC channel). */
export type WorkerMessage =
  | Readonly<{ type: 'ready' }>
  | Readonly<{ type: 'consuming'; at: number }>
  /** the process cannot start (its handler does not load): the primary degrades the pool and backs off */
  | Readonly<{ type: 'failed'; reason: string }>
export type PrimaryMessage = Readonly<{ type: 'drain' }>

export const workerAgentId = (pool: string, workerId: string): string => `worker:${pool}:${hostname()}:${workerId}:${process.pid}`

/**
 * One worker process of a pool: consumes the pool's lanes and runs tasks in up to
 * maxAgentsPerProcess slots. `drain` stops fetching, finishes or aborts in-flight tasks, commits
 * and leaves the group. Forked by a cluster primary, the worker drains by itself too when the
 * primary goes away (see `drainWhenPrimaryGone`); the caller exits once the drain resolved.
 */
export async function runWorkerProcess(
  services: Services,
  settings: PoolSettings,
  workerId: string,
  env: Readonly<Record<string, string | undefined>>,
) {
  const { config, logger } = services
  const prefix = config.kafka.topicPrefix
  const agentId = workerAgentId(settings.pool, workerId)
  const log = logger.child({ pool: settings.pool, worker: workerId })
  let status: WorkerStatus = 'starting'
  let inFlight = () => 0
  const heartbeat = startWorkerHeartbeat({
    registry: createWorkerRegistry({ db: services.db }),
    workerId,
    pool: settings.pool,
    intervalMs: config.workers.heartbeatMs,
    state: () => ({ status, inFlight: inFlight() }),
    logger: log,
  })
  const channel = createDispatchChannel({
    admin: services.admin,
    registry: services.registry,
    registryUrl: config.registryUrl,
    schemas: services.schemas,
    prefix,
    partitions: config.workers.dispatchPartitions,
  })
  await channel.ensurePool(settings.pool)
  const writeSide = await createWriteSide(services)
  const handler = await loadHandler(settings.handler, env).catch(async (error: unknown) => {
    const reason = `handler ${settings.handler} cannot be loaded: ${(error as Error).message}`
    // Delivered before the process exits: the primary degrades the pool with this reason.
    await new Promise<void>((resolve) =>
      process.send ? process.send({ type: 'failed', reason } satisfies WorkerMessage, () => resolve()) : resolve(),
    )
    await heartbeat.stop()
    throw new AppError('handler.unloadable', reason, { cause: error })
  })
  const stops = new Map<string, AbortController>()
  const cancellations = await subscribeCancellations(services.redis, config.redis.prefix, (taskId) =>
    stops.get(taskId)?.abort(abortError('cancelled')),
  )
  const runner = createTaskRunner({
    execute: writeSide.execute,
    leases: createTaskLeases({ redis: services.redis, prefix: config.redis.prefix }),
    handler,
    handlerConfig: settings.handlerConfig,
    agentId,
    leaseMs: config.workers.leaseMs,
    retryPolicy: { baseMs: config.retry.baseMs, maxMs: config.retry.maxMs },
    logger: log,
    clock: Date.now,
  })
  let gaveUp: (() => void) | undefined
  const consumerGaveUp = new Promise<void>((resolve) => {
    gaveUp = resolve
  })
  const consumer = createDispatchConsumer({
    onGaveUp: (error) => {
      log.warn({ err: error }, 'dispatch consumer gave up after a crash; draining so that the primary starts a fresh process')
      gaveUp?.()
    },
    kafka: services.kafka,
    prefix,
    pool: settings.pool,
    maxAgents: settings.maxAgentsPerProcess,
    codec: channel.dispatch,
    logger: log,
    run: async (record, issued) => {
      const stop = new AbortController()
      stops.set(record.taskId, stop)
      try {
        return await runner(record, stop.signal, issued)
      } finally {
        stops.delete(record.taskId)
      }
    },
  })
  inFlight = () => consumer.inFlight
  await consumer.start()
  status = 'consuming'
  void heartbeat.beat()
  log.info({ agentId, maxAgents: settings.maxAgentsPerProcess, handler: settings.handler }, 'worker consuming')

  let draining: Promise<void> | undefined
  const drain = () => {
    draining ??= (async () => {
      log.info({ inFlight: consumer.inFlight }, 'worker draining')
      status = 'draining'
      void heartbeat.beat()
      await consumer.drain(config.workers.shutdownMs, () => {
        for (const s of stops.values()) s.abort(abortError('shutdown'))
      })
      await cancellations.stop()
      await writeSide.close()
      await heartbeat.stop()
      log.info('worker drained')
    })()
    return draining
  }
  drainWhenPrimaryGone(drain, log)
  return { drain, inFlight: () => consumer.inFlight, consumerGaveUp }
}

/**
 * Node's cluster ends a worker whose IPC channel closes — its primary died, SIGKILL included — with
 * process.exit in its own 'disconnect' listener: no drain ran, and the running tasks waited for their
 * leases to expire. Marked as an expected disconnect, the process stays up and drains as on a graceful
 * shutdown instead (tasks finish, or are aborted and failed as retryable at the deadline; offsets
 * committed; the group left); the caller, which also hears 'disconnect', awaits the same drain and
 * exits. Registered once the worker runs: a primary gone during start-up still ends the process at
 * once, as nothing runs yet (and the caller would not be listening yet).
 */
function drainWhenPrimaryGone(drain: () => Promise<void>, log: Logger): void {
  const worker = cluster.worker
  if (!worker) return
  // Before cluster's listener, which only exits when the disconnect was not expected.
  process.prependOnceListener('disconnect', () => {
    if (worker.exitedAfterDisconnect) return
    worker.exitedAfterDisconnect = true
    // Messages still sent to the primary (stats, 'consuming') now fail on the worker object.
    worker.on('error', (error: Error) => log.debug({ err: error }, 'message to the gone primary dropped'))
    log.warn('primary gone; draining')
    drain().catch((error: unknown) => log.error({ err: error }, 'drain after the primary left failed'))
  })
}
