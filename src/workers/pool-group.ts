import cluster, { type Worker } from 'node:cluster'
import { hostname } from 'node:os'
import type { CommandHandler } from '../commands/handle-command.ts'
import type { PoolCommand } from '../commands/pool/pool.commands.ts'
import { poolDecider } from '../commands/pool/pool.decider.ts'
import type { DispatchChannel } from '../dispatch/dispatch-channel.ts'
import { AppError } from '../errors.ts'
import type { Services } from '../infra/services.ts'
import { createPoolLagProbe } from './pool-lag.ts'
import { initialScaleMemory, needsReplacement, planScaleStep, restartDelayMs } from './pool-policy.ts'
import type { PoolSettings } from './pool-settings.ts'
import { hostedAgents } from './pool-source.ts'
import { createPoolPrimaries, shareOf, type PrimariesView } from './pool-primaries.ts'
import type { PrimaryMessage, WorkerMessage } from './worker-process.ts'
import type { WorkerRegistry } from './worker-registry.ts'

type Child = { worker: Worker; id: string; draining: boolean; startedAt: number; failure?: string }

export type PoolGroupDeps = Readonly<{
  settings: PoolSettings
  services: Pick<Services, 'config' | 'logger' | 'admin' | 'db' | 'redis'>
  channel: Pick<DispatchChannel, 'ensurePool'>
  /** the primary removes a row when it sees the process exit and adds the pool's lag; each worker writes its own row */
  registry: WorkerRegistry
  /** appends PoolScaled (RecordScaling) for each decision */
  execute: CommandHandler
  /** CLI arguments that make a forked process run one worker of the pool */
  childArgs: (settings: PoolSettings, workerId: string) => string[]
  /** numbers worker ids uniquely across the groups of one primary */
  nextWorkerSeq: () => number
}>

export type WorkerInfo = Readonly<{ id: string; pid: number | undefined; draining: boolean; startedAt: number }>

/**
 * The worker processes one primary runs for a pool: restarts a crashed worker with exponential
 * backoff and, every scaleIntervalMs, runs its share of the pool-wide target. Any number of
 * primaries may run the pool (on one host or many): one of them, elected through Redis, polls the
 * group's lag, decides the pool-wide target with the autoscaler (recorded as PoolScaled) and
 * publishes it; each primary forks or drains to its share, so together they never exceed
 * maxWorkers. It owns its timers: the next poll and pending restarts, cleared on stop.
 */
export function createPoolGroup(deps: PoolGroupDeps) {
  const { registry } = deps
  let settings = deps.settings
  const { config, logger } = deps.services
  const log = logger.child({ pool: settings.pool, part: 'supervisor' })
  const quietly = (p: Promise<void>) => void p.catch((error: unknown) => logger.debug({ err: error }, 'worker_processes not updated'))
  const probe = createPoolLagProbe({ admin: deps.services.admin, prefix: config.kafka.topicPrefix, pool: settings.pool, clock: Date.now })
  const children = new Map<number, Child>()
  const restarts = new Set<NodeJS.Timeout>()
  let nextPoll: NodeJS.Timeout | undefined
  let stopping = false
  /** crashes since a worker last started consuming */
  let crashes = 0
  /** this group reported PoolDegraded and has not seen a process consume since */
  let degraded = false
  let memory = initialScaleMemory(settings.minWorkers)
  const me = `${hostname()}:${process.pid}`
  const primaries = createPoolPrimaries({ redis: deps.services.redis, prefix: config.redis.prefix, pool: settings.pool, me })
  /** this primary's part of the pool-wide target, and whether it was the scaler at the last poll */
  let share = settings.minWorkers
  /** processes this primary may run: its share, or less while the others have not yet made room */
  let reserved = settings.minWorkers
  let primaryCount = 1
  let wasScaler = false
  /** a crashed worker is replaced while fewer than the share run (and always one, when this primary runs the pool alone) */
  const replacementNeeded = () =>
    primaryCount <= 1 ? needsReplacement(active().length, settings.minWorkers, reserved) : active().length < reserved

  const active = () => [...children.values()].filter((c) => !c.draining)
  const restartLater = (delay: number) => {
    const timer = setTimeout(() => {
      restarts.delete(timer)
      if (!stopping && replacementNeeded()) fork()
    }, delay)
    restarts.add(timer)
  }

  const fork = (): Child => {
    // Unique across the worker groups one primary may run (`workers --all`, `dev`).
    const id = `${settings.pool}-${process.pid}-${deps.nextWorkerSeq()}`
    cluster.setupPrimary({ exec: process.argv[1]!, args: deps.childArgs(settings, id) })
    const worker = cluster.fork()
    const child: Child = { worker, id, draining: false, startedAt: Date.now() }
    children.set(worker.id, child)
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'consuming') {
        if (degraded) reportHealth(true, 'a worker process consumes again', crashes)
        crashes = 0
        log.info({ worker: id, pid: worker.process.pid }, 'worker consuming')
      }
      if (m.type === 'failed') child.failure = m.reason
    })
    worker.on('exit', (code, signal) => {
      children.delete(worker.id)
      quietly(registry.remove(id))
      if (stopping || child.draining) return log.info({ worker: id, code }, 'worker exited')
      const delay = restartDelayMs(config.workers.restartMs, crashes++)
      log.warn({ worker: id, code, signal, reason: child.failure, restartInMs: delay }, 'worker crashed; restarting')
      // A process that says why it cannot start degrades the pool at once; unexplained crashes after the third in a row.
      if (child.failure !== undefined || crashes >= 3)
        reportHealth(false, child.failure ?? `worker processes keep exiting (${signal ?? `code ${code}`}) before they consume`, crashes)
      restartLater(delay)
    })
    return child
  }

  /** ReportPoolHealth: PoolDegraded with the reason, or PoolRecovered (the decider appends nothing when nothing changed). */
  const reportHealth = (healthy: boolean, reason: string, failures: number) => {
    degraded = !healthy
    if (!healthy) log.error({ reason, failures }, 'pool degraded: its worker processes cannot run the handler; backing off')
    else log.info({ failures }, 'pool recovered')
    poolCommand('health', { type: 'ReportPoolHealth', healthy, reason, failures }, 'pool health not recorded')
  }

  /** Appends one of the group's commands to its pool (a pool run from flags alone has no stream: pool.not-found). */
  const poolCommand = (kind: string, command: PoolCommand, notRecorded: string) => {
    const id = `${kind}:${settings.pool}:${Date.now()}`
    void deps
      .execute('pool', settings.pool, poolDecider, command, {
        commandId: id,
        correlationId: id,
        causationId: null,
        actor: `workers:${settings.pool}`,
      })
      .catch((error: unknown) =>
        log[error instanceof AppError && error.code === 'pool.not-found' ? 'debug' : 'warn']({ err: error }, notRecorded),
      )
  }

  const drainNewest = () => {
    const victim = active().sort((a, b) => b.startedAt - a.startedAt)[0]
    if (!victim) return
    victim.draining = true
    victim.worker.send({ type: 'drain' } satisfies PrimaryMessage)
  }

  /** The scaler's part of a poll: the pool-wide target from the lag, recorded when it changes and published. */
  const decideTarget = async (now: number, stored: number | undefined): Promise<number> => {
    // Taking over from another scaler: continue from the target it published.
    if (!wasScaler && stored !== undefined) memory = { ...memory, desired: stored }
    const [lag, hosted] = await Promise.all([probe(), hostedAgents(deps.services.db, settings.pool)])
    quietly(registry.recordLag(settings.pool, lag.lag))
    quietly(registry.sweep(settings.pool))
    const current = memory.desired
    const step = planScaleStep({ memory, config: settings, now, lag, hostedAgents: hosted, current })
    memory = step.memory
    if (step.record) {
      const { decision } = step
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
      poolCommand('scale', step.record, 'scaling decision not recorded as PoolScaled')
    }
    return memory.desired
  }

  const scale = async () => {
    const now = Date.now()
    const ttlMs = Math.max(3_000, 3 * settings.scaleIntervalMs)
    // Redis away: this primary scales alone, as if it ran the pool by itself, until it is back.
    let shared = true
    const view: PrimariesView = await primaries.poll(ttlMs).catch((error: unknown) => {
      log.warn({ err: error }, 'pool primaries unknown (Redis); scaling this primary alone')
      shared = false
      return { scaler: true, desired: undefined, members: [me] }
    })
    if (stopping) return
    const target = view.scaler ? await decideTarget(now, view.desired) : (view.desired ?? settings.minWorkers)
    if (view.scaler && shared) await primaries.publish(target, ttlMs).catch(() => undefined)
    wasScaler = view.scaler
    if (stopping) return
    primaryCount = view.members.length
    share = shareOf(target, view.members, me)
    const current = active().length
    // Each process is reserved against the other primaries' counts (also when alone: one may join any time).
    const allowed = shared ? await primaries.reserve(current, share, target).catch(() => Math.min(current, share)) : share
    reserved = allowed
    if (stopping) return
    if (share !== current) log.info({ share, target, primaries: view.members.length, current }, "running this primary's share of the pool")
    // A crashed process waiting out its restart backoff holds its place: the poll does not refill it early.
    for (let i = current + restarts.size; i < allowed; i++) fork()
    for (let i = allowed; i < current; i++) drainNewest()
  }

  const poll = async () => {
    if (stopping) return
    await scale().catch((error: unknown) => log.warn({ err: error }, 'scaling poll failed'))
    if (!stopping) nextPoll = setTimeout(() => void poll(), settings.scaleIntervalMs)
  }

  return {
    pool: settings.pool,
    async start(): Promise<void> {
      await deps.channel.ensurePool(settings.pool)
      // The first poll forks this primary's share of the pool at once.
      void poll()
    },
    settings: () => settings,
    /**
     * New settings of the pool (PoolConfigUpdated). Scaling settings apply from the next poll;
     * with `replaceWorkers` (handler or slots changed) every process started with the old settings
     * drains — finishing its tasks — while as many new ones start at once.
     */
    reconfigure(next: PoolSettings, replaceWorkers: boolean): void {
      settings = next
      log.info({ replaceWorkers, settings: next }, 'pool reconfigured')
      if (!replaceWorkers || stopping) return
      // New settings may fix what made processes fail: start afresh, without the backoff.
      for (const timer of restarts) clearTimeout(timer)
      restarts.clear()
      crashes = 0
      const old = active()
      for (const child of old) {
        child.draining = true
        child.worker.send({ type: 'drain' } satisfies PrimaryMessage)
      }
      const wanted = Math.min(settings.maxWorkers, Math.max(old.length, share))
      for (let i = 0; i < wanted; i++) fork()
    },
    workers: (): WorkerInfo[] =>
      [...children.values()].map((c) => ({ id: c.id, pid: c.worker.process.pid, draining: c.draining, startedAt: c.startedAt })),
    /** Drains every worker (finish in-flight within the deadline, commit, exit); kills the stragglers. */
    async stop(): Promise<void> {
      stopping = true
      clearTimeout(nextPoll)
      await primaries.leave().catch((error: unknown) => log.debug({ err: error }, 'pool membership not left; it expires'))
      for (const timer of restarts) clearTimeout(timer)
      restarts.clear()
      const all = [...children.values()]
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

export type PoolGroup = ReturnType<typeof createPoolGroup>
