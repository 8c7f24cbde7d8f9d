import type { CommandHandler } from '../commands/handle-command.ts'
import type { Services } from '../infra/services.ts'
import { createTaskLeases } from '../leases/task-leases.ts'
import { heldTasksUnchangedSince } from '../projections/tasks/held-tasks.queries.ts'
import { createLeaseReaper } from './lease-reaper.ts'
import { createRetrySchedule } from './retry/retry-schedule.ts'
import { createRetryTimer } from './retry/retry-timer.ts'
import { createWakeups } from './wakeups.ts'

export type QueueLoop = 'reaper' | 'retry-timer'

/** Starts the lease reaper and/or the retry timer of this process; `stop` waits for their current pass. */
export function startQueueLoops(
  services: Services,
  execute: CommandHandler,
  loops: readonly QueueLoop[] = ['reaper', 'retry-timer'],
): { stop: () => Promise<void> } {
  const { config, redis, logger } = services
  const prefix = config.redis.prefix
  const stops: (() => Promise<void>)[] = []
  if (loops.includes('reaper')) {
    const reaper = createLeaseReaper({
      execute,
      leases: createTaskLeases({ redis, prefix }),
      retryPolicy: { baseMs: config.retry.baseMs, maxMs: config.retry.maxMs },
      intervalMs: config.queue.reaperIntervalMs,
      clock: Date.now,
      random: Math.random,
      logger,
      unleased: {
        find: (before, limit) => heldTasksUnchangedSince(services.db, before, limit),
        // Longer than any lease (HTTP agents choose theirs, up to the claim schema's bound) plus a margin.
        olderThanMs: 2 * Math.max(config.queue.leaseMs, config.workers.leaseMs),
        everyMs: 10 * config.queue.reaperIntervalMs,
      },
    })
    reaper.start()
    stops.push(reaper.stop)
  }
  if (loops.includes('retry-timer')) {
    const schedule = createRetrySchedule({ redis, prefix })
    const wakeups = createWakeups({ redis, pattern: schedule.wakeChannel, logger })
    const timer = createRetryTimer({ execute, schedule, wakeups, clock: Date.now, logger, pollMs: config.retry.pollMs })
    timer.start()
    stops.push(async () => {
      await timer.stop()
      wakeups.close()
    })
  }
  logger.info({ loops }, 'queue loops running')
  return {
    stop: async () => {
      await Promise.all(stops.map((s) => s()))
    },
  }
}
