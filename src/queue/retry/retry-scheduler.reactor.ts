import type { ProcessManager } from '../../reactors/reactor.ts'
import { createRetrySchedule } from './retry-schedule.ts'

/** retry-scheduler: puts every TaskRetryScheduled into the Redis schedule the retry timer serves. */
export const retryScheduler: ProcessManager = {
  name: 'retry-scheduler',
  aggregates: ['task'],
  create: ({ services }) => {
    const schedule = createRetrySchedule({ redis: services.redis, prefix: services.config.redis.prefix })
    return async (event) => {
      if (event.type !== 'TaskRetryScheduled') return
      await schedule.add({ taskId: event.meta.aggregateId, attempt: event.data.attempt }, event.data.retryAt)
    }
  },
}
