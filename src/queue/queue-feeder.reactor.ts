import { leavesQueue } from '../commands/task/task.lifecycle.ts'
import type { Reactor } from '../reactors/reactor.ts'
import { createTaskQueue } from './task-queue.ts'

/**
 * queue-feeder: keeps the per-pool Redis queues equal to the tasks that are queued. Every entry
 * carries the version of the event that put it there, so redelivered events change nothing.
 * A batch goes out as one pipelined write: the scripts run in event order, so each task's
 * events keep theirs.
 */
export const queueFeeder: Reactor = {
  name: 'queue-feeder',
  aggregates: ['task'],
  create: ({ services }) => {
    const queue = createTaskQueue({ redis: services.redis, prefix: services.config.redis.prefix })
    return {
      react: async (events) => {
        const calls: Promise<boolean>[] = []
        for (const event of events) {
          const taskId = event.meta.aggregateId
          if (event.type === 'TaskQueued') {
            calls.push(
              queue.enqueue({
                taskId,
                pool: event.data.pool,
                priority: event.data.priority,
                version: event.meta.version,
                queuedAt: event.meta.occurredAt,
              }),
            )
          } else if (leavesQueue(event.type)) {
            calls.push(queue.remove(taskId, event.meta.version))
          }
        }
        await Promise.all(calls)
      },
    }
  },
}
