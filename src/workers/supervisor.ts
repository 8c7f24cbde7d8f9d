import cluster, { type Worker } from 'node:cluster'
import type { CommandHandler } from '../commands/handle-command.ts'
import { poolDecider } from '../commands/pool/pool.decider.ts'
import { AppError } from '../errors.ts'
import type { Services } from '../infra/services.ts'
import { hostedAgents } from './pool-source.ts'
import { createWorkerRegistry } from './worker-registry.ts'
import { decideScale, pruneSamples, type LagSample } from './autoscaler.ts'
import { createDispatchChannel } from '../dispatch/dispatch-channel.ts'
import { createPoolLagProbe } from './pool-lag.ts'
import type { PoolSettings } from './pool-settings.ts'
import type { PrimaryMessage, WorkerMessage } from './worker-process.ts'

type Child = { worker: Worker; id: string; draining: boolean; startedAt: number; consuming: boolean; inFlight: number }

export type SupervisorOptions = Readonly<{
  /** appends PoolScaled (RecordScaling) for each decision */
  execute: CommandHandler
  /** CLI arguments that make a forked process run one worker of `pool` */
  childArgs: (settings: PoolSettings, workerId: string) => string[]
}>

/**
 * The cluster primary of one or more pools: keeps each pool's worker processes alive (a crashed
 * worker is restarted with exponential backoff), polls the group's lag every scaleIntervalMs and
 * forks or drains workers as the autoscaler decides; drains everything on stop.
 */
export function startSupervisor(services: Services, pools: readonly PoolSettings[], options: SupervisorOptions) {
  const { config, logger } = services
  const prefix = config.kafka.topicPrefix
  const channel = createDispatchChannel({
    admin: services.admin,
    registry: services.registry,
    registryUrl: config.registryUrl,
    schemas: services.schemas,
    prefix,
    partitions: config.workers.dispatchPartitions,
  })
  const registry = createWorkerRegistry({ db: services.db, clock: Date.now })
  const quietly = (p: Promise<void>) => void p.catch((error: unknown) => logger.debug({ err: error }, 'worker_processes not updated'))
  let stopping = false
  let seq = 0
  const timers: NodeJS.Timeout[] = []

  const groups = pools.map((settings) => {
    const log = logger.child({ pool: settings.pool, part: 'supervisor' })
    const children = new Map<number, Child>()
    let crashes = 0
    let samples: LagSample[] = []
    let lastScaleUpAt: number | null = null
    let lastScaleDownAt: number | null = null
    const probe = createPoolLagProbe({ admin: services.admin, prefix, pool: settings.pool, clock: Date.now })
    const active = () => [...children.values()].filter((c) => !c.draining)
    let lastLag = 0
    const rowOf = (c: Child) => ({
      workerId: c.id,
      pool: settings.pool,
      pid: c.worker.process.pid,
      status: c.draining ? ('draining' as const) : c.consuming ? ('consuming' as const) : ('starting' as const),
      inFlight: c.inFlight,
      lag: lastLag,
      startedAt: c.startedAt,
    })

    const fork = () => {
      // Unique across the worker groups one primary may run (`workers --all`, `dev`).
      const id = `${settings.pool}-${process.pid}-${++seq}`
      cluster.setupPrimary({ exec: process.argv[1]!, args: options.childArgs(settings, id) })
      const worker = cluster.fork()
      const child: Child = { worker, id, draining: false, startedAt: Date.now(), consuming: false, inFlight: 0 }
      children.set(worker.id, child)
      quietly(registry.upsert([rowOf(child)]))
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'consuming') {
          crashes = 0
          child.consuming = true
          quietly(registry.upsert([rowOf(child)]))
          log.info({ worker: id, pid: worker.process.pid }, 'worker consuming')
        }
        if (m.type === 'stats') child.inFlight = m.inFlight
      })
      worker.on('exit', (code, signal) => {
        children.delete(worker.id)
        quietly(registry.remove(id))
        if (stopping || child.draining) return log.info({ worker: id, code }, 'worker exited')
        const delay = Math.min(30_000, config.workers.restartMs * 2 ** crashes++)
        log.warn({ worker: id, code, signal, restartInMs: delay }, 'worker crashed; restarting')
        timers.push(
          setTimeout(() => {
            if (!stopping && active().length < Math.max(1, settings.minWorkers, desired)) fork()
          }, delay),
        )
      })
      return child
    }
    const drainOne = () => {
      const victim = active().sort((a, b) => b.startedAt - a.startedAt)[0]
      if (!victim) return
      victim.draining = true
      victim.worker.send({ type: 'drain' } satisfies PrimaryMessage)
      quietly(registry.upsert([rowOf(victim)]))
    }

    let desired = Math.max(settings.minWorkers, 0)
    const scale = async () => {
      const now = Date.now()
      const [lag, hosted] = await Promise.all([probe(), hostedAgents(services.db, settings.pool)])
      if (stopping) return
      lastLag = lag.lag
      quietly(registry.upsert([...children.values()].filter((c) => !c.worker.isDead()).map(rowOf)))
      samples = pruneSamples([...samples, { at: now, lag: lag.lag, timeLagMs: lag.timeLagMs }], settings, now)
      const current = active().length
      const decision = decideScale({
        samples,
        config: settings,
        now,
        current,
        partitions: lag.partitions,
        hostedAgents: hosted,
        lastScaleUpAt,
        lastScaleDownAt,
      })
      desired = decision.desired
      if (decision.desired === current) return
      log.info(
        {
          from: current,
          to: decision.desired,
          lag: decision.lag,
          timeLagMs: decision.timeLagMs,
          byTopic: lag.byTopic,
          reason: decision.reason,
        },
        'pool scaled',
      )
      const scaled = {
        type: 'RecordScaling' as const,
        fromWorkers: current,
        toWorkers: decision.desired,
        lag: decision.lag,
        timeLagMs: Math.round(decision.timeLagMs),
        reason: decision.reason,
      }
      void options
        .execute('pool', settings.pool, poolDecider, scaled, {
          commandId: `scale:${settings.pool}:${now}`,
          correlationId: `scale:${settings.pool}:${now}`,
          causationId: null,
          actor: `workers:${settings.pool}`,
        })
        .catch((error: unknown) =>
          log[error instanceof AppError && error.code === 'pool.not-found' ? 'debug' : 'warn'](
            { err: error },
            'scaling decision not recorded as PoolScaled',
          ),
        )
      if (decision.desired > current) {
        lastScaleUpAt = now
        for (let i = current; i < decision.desired; i++) fork()
      } else {
        lastScaleDownAt = now
        for (let i = decision.desired; i < current; i++) drainOne()
      }
    }
    const loop = async () => {
      if (stopping) return
      await scale().catch((error: unknown) => log.warn({ err: error }, 'scaling poll failed'))
      if (!stopping) timers.push(setTimeout(() => void loop(), settings.scaleIntervalMs))
    }
    return {
      settings,
      children,
      active,
      fork,
      loop,
      start: async () => {
        await channel.ensurePool(settings.pool)
        // Rows of a primary that was killed: nobody refreshed them for a while.
        quietly(registry.sweep(settings.pool, 3 * settings.scaleIntervalMs + 10_000))
        for (let i = 0; i < settings.minWorkers; i++) fork()
        void loop()
      },
    }
  })

  return {
    async start(): Promise<void> {
      for (const g of groups) await g.start()
    },
    workers: () =>
      groups.map((g) => ({
        pool: g.settings.pool,
        workers: [...g.children.values()].map((c) => ({
          id: c.id,
          pid: c.worker.process.pid,
          draining: c.draining,
          startedAt: c.startedAt,
        })),
      })),
    /** Drains every worker (finish in-flight within the deadline, commit, exit); kills the stragglers. */
    async stop(): Promise<void> {
      stopping = true
      for (const t of timers) clearTimeout(t)
      const all = groups.flatMap((g) => [...g.children.values()])
      const exited = Promise.all(
        all.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.worker.isDead()) return resolve()
              c.worker.once('exit', () => resolve())
              c.draining = true
              c.worker.send({ type: 'drain' } satisfies PrimaryMessage)
            }),
        ),
      )
      const deadline = setTimeout(() => {
        for (const c of all) if (!c.worker.isDead()) c.worker.process.kill('SIGKILL')
      }, config.workers.shutdownMs + 5_000)
      await exited
      clearTimeout(deadline)
    },
  }
}
