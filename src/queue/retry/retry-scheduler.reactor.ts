import type { Reactor } from '../../reactors/reactor.ts'
import { createRetrySchedule } from './retry-schedule.ts'

/** retry-scheduler: puts every TaskRetryScheduled into the Redis schedule the retry timer serves. */
export const retryScheduler: Reactor = {
  name: 'retry-scheduler',
  aggregates: ['task'],
  create: ({ services }) => {
    const schedule = createRetrySchedule({ redis: services.redis, prefix: services.config.redis.prefix })
    return {
      react: async (events) => {
        await Promise.all(
          events.flatMap((e) =>
            e.type === 'TaskRetryScheduled' ? [schedule.add({ taskId: e.meta.aggregateId, attempt: e.data.attempt }, e.data.retryAt)] : [],
          ),
        )
      },
    }
  },
}
