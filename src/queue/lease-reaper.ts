import type { CommandHandler } from '../commands/handle-command.ts'
import type { RetryPolicy } from '../commands/task/retry-policy.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../infra/logger.ts'
import type { TaskLease, TaskLeases } from '../leases/task-leases.ts'
import type { HeldTask } from '../projections/tasks/held-tasks.queries.ts'
import { createBackoffTaskDecider } from './backoff-decider.ts'

export type LeaseReaperDeps = Readonly<{
  execute: CommandHandler
  leases: TaskLeases
  retryPolicy: RetryPolicy
  intervalMs: number
  clock: () => number
  random: () => number
  logger: Logger
  /** expired leases handled per pass */
  batchSize?: number
  /**
   * Held tasks without a lease: claimed or running in the read model, unchanged for longer than
   * any lease lasts, and no lease in Redis (the holder died between StartTask and granting it, or
   * the lease was lost with Redis). Swept every `everyMs`, they are expired like a lapsed lease.
   */
  unleased?: Readonly<{ find: (before: Date, limit: number) => Promise<HeldTask[]>; olderThanMs: number; everyMs: number }>
}>

/**
 * The lease reaper: every interval, turns run leases that expired (an HTTP agent or a worker
 * stopped heartbeating) into ExpireTaskLease — a retry with backoff or a dead letter — and
 * releases them. Several reapers may run at once: the decider ignores an epoch that moved on,
 * and the command id is derived from (task, epoch), so both issue the very same command.
 */
export function createLeaseReaper(deps: LeaseReaperDeps) {
  const decider = createBackoffTaskDecider(deps.retryPolicy)
  const log = deps.logger.child({ part: 'lease-reaper' })
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false

  let lastSweep = 0

  const reap = async (lease: TaskLease): Promise<boolean> => {
    // A heartbeat may have extended it since it was listed.
    const current = await deps.leases.get(lease.taskId)
    if (!current || current.epoch !== lease.epoch || current.expiresAt > deps.clock()) return false
    await expire(lease)
    return true
  }

  /** Held tasks the read model has seen unchanged for long, with no lease of their epoch in Redis. */
  const sweepUnleased = async (): Promise<number> => {
    const { unleased } = deps
    if (!unleased || deps.clock() - lastSweep < unleased.everyMs) return 0
    lastSweep = deps.clock()
    const held = await unleased.find(new Date(deps.clock() - unleased.olderThanMs), deps.batchSize ?? 100)
    let expired = 0
    for (const task of held) {
      const lease = await deps.leases.get(task.id)
      if (lease && lease.epoch >= task.leaseEpoch) continue
      log.warn({ taskId: task.id, holder: task.holder, epoch: task.leaseEpoch }, 'held task without a run lease: expiring it')
      await expire({ taskId: task.id, epoch: task.leaseEpoch, holder: task.holder ?? 'unknown', pool: '', expiresAt: 0 })
      expired++
    }
    return expired
  }

  const expire = async (lease: TaskLease): Promise<void> => {
    const commandId = `reaper:${lease.taskId}:${lease.epoch}`
    try {
      const result = await deps.execute(
        'task',
        lease.taskId,
        decider,
        { type: 'ExpireTaskLease', leaseEpoch: lease.epoch, now: deps.clock(), random: deps.random() },
        { commandId, correlationId: commandId, causationId: null, actor: 'reaper' },
      )
      if (result.events.length > 0)
        log.info(
          { taskId: lease.taskId, holder: lease.holder, epoch: lease.epoch, events: result.events.map((e) => e.type) },
          'lease expired',
        )
    } catch (error) {
      if (!(error instanceof AppError) || error.retriable) throw error
      log.debug({ taskId: lease.taskId, code: error.code }, 'expired lease of a task the domain refuses to expire; released')
    }
    await deps.leases.release(lease.taskId, lease.epoch)
  }

  /** One pass; returns how many leases it reaped. */
  const runOnce = async (): Promise<number> => {
    const expired = await deps.leases.expired(deps.clock(), deps.batchSize ?? 100)
    let reaped = 0
    for (const lease of expired) {
      try {
        if (await reap(lease)) reaped++
      } catch (error) {
        log.warn({ err: error, taskId: lease.taskId }, 'could not expire a lease; next pass retries')
      }
    }
    return reaped + (await sweepUnleased())
  }

  const loop = (): void => {
    if (stopped) return
    running = runOnce()
      .then(
        (n) => (n === (deps.batchSize ?? 100) ? 0 : deps.intervalMs),
        (error: unknown) => {
          log.warn({ err: error }, 'lease reaper pass failed')
          return deps.intervalMs
        },
      )
      .then((delay) => {
        if (!stopped) timer = setTimeout(loop, delay)
      })
  }

  return {
    runOnce,
    start(): void {
      stopped = false
      loop()
    },
    async stop(): Promise<void> {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}

export type LeaseReaper = ReturnType<typeof createLeaseReaper>
