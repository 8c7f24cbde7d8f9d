import { cancellationChannel } from '../../dispatch/cancellations.ts'
import type { Reactor } from '../reactor.ts'

/** TaskCancelled → a Redis pub/sub message, so the worker running the task aborts it at once. */
export const cancellationsReactor: Reactor = {
  name: 'cancellations',
  aggregates: ['task'],
  create: ({ services }) => {
    const channel = cancellationChannel(services.config.redis.prefix)
    return {
      react: async (events) => {
        // Issued without waiting in between: one pipelined write for the whole batch.
        await Promise.all(events.filter((e) => e.type === 'TaskCancelled').map((e) => services.redis.publish(channel, e.meta.aggregateId)))
      },
    }
  },
}
