import type { CommandHandler } from '../../commands/handle-command.ts'
import { taskDecider } from '../../commands/task/task.decider.ts'
import { AppError } from '../../errors.ts'
import type { Logger } from '../../infra/logger.ts'
import type { Wakeups } from '../wakeups.ts'
import type { RetrySchedule, ScheduledRetry } from './retry-schedule.ts'

export type RetryTimerDeps = Readonly<{
  execute: CommandHandler
  schedule: RetrySchedule
  wakeups: Wakeups
  clock: () => number
  logger: Logger
  /** longest sleep without looking at the schedule (a lost wake-up costs at most this) */
  pollMs: number
  /** how long a taken item stays hidden from other schedulers */
  hideMs?: number
  batchSize?: number
}>

/**
 * Queues scheduled retries when they fall due, without busy-waiting: one timer for the earliest
 * item, woken early when an earlier one is scheduled. Several timers may run: each due item is
 * taken by one of them, and QueueTaskRetry is a no-op for an attempt that was already queued.
 */
export function createRetryTimer(deps: RetryTimerDeps) {
  const log = deps.logger.child({ part: 'retry-timer' })
  const batchSize = deps.batchSize ?? 100
  let stopped = true
  let current: { cancel: () => void } | undefined
  let running: Promise<void> | undefined

  const queueRetry = async (r: ScheduledRetry): Promise<void> => {
    const commandId = `retry-timer:${r.taskId}:${r.attempt}`
    try {
      const result = await deps.execute(
        'task',
        r.taskId,
        taskDecider,
        { type: 'QueueTaskRetry', attempt: r.attempt },
        { commandId, correlationId: commandId, causationId: null, actor: 'retry-scheduler' },
      )
      if (result.events.length > 0) log.debug({ taskId: r.taskId, attempt: r.attempt }, 'retry queued')
    } catch (error) {
      if (!(error instanceof AppError) || error.retriable) {
        log.warn({ err: error, taskId: r.taskId }, 'could not queue a retry; it comes back shortly')
        return
      }
    }
    await deps.schedule.done(r)
  }

  /** Queues what is due; returns how long to sleep. */
  const pass = async (): Promise<number> => {
    const due = await deps.schedule.takeDue(deps.clock(), deps.hideMs ?? 30_000, batchSize)
    for (const r of due) await queueRetry(r)
    if (due.length === batchSize) return 0
    const next = await deps.schedule.earliest()
    return next === undefined ? deps.pollMs : Math.min(deps.pollMs, Math.max(0, next - deps.clock()))
  }

  const loop = async (): Promise<void> => {
    while (!stopped) {
      const armed = deps.wakeups.arm(deps.schedule.wakeChannel)
      current = armed
      try {
        const sleep = await pass().catch((error: unknown) => {
          log.warn({ err: error }, 'retry timer pass failed')
          return Math.min(1_000, deps.pollMs)
        })
        if (sleep > 0 && !stopped) await armed.wait(sleep)
      } finally {
        armed.cancel()
      }
    }
  }

  return {
    pass,
    start(): void {
      if (!stopped) return
      stopped = false
      running = loop()
    },
    async stop(): Promise<void> {
      stopped = true
      current?.cancel()
      await running
    },
  }
}

export type RetryTimer = ReturnType<typeof createRetryTimer>
