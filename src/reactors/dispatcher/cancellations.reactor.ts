import { cancellationChannel } from '../../workers/cancellations.ts'
import type { Services } from '../../infra/services.ts'
import type { Reaction } from '../runner.ts'

/** TaskCancelled → a Redis pub/sub message, so the worker running the task aborts it at once. */
export const cancellationsReactor = {
  name: 'cancellations',
  aggregates: ['task'] as const,
  create({ services }: { services: Services }): Reaction {
    const channel = cancellationChannel(services.config.redis.prefix)
    return async (event) => {
      if (event.type === 'TaskCancelled') await services.redis.publish(channel, event.meta.aggregateId)
    }
  },
}
