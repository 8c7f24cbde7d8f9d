import { cancellationChannel } from '../../workers/cancellations.ts'
import type { ReactorSpec } from '../catalog.ts'

/** TaskCancelled → a Redis pub/sub message, so the worker running the task aborts it at once. */
export const cancellationsReactor: ReactorSpec = {
  name: 'cancellations',
  aggregates: ['task'],
  create({ services }) {
    const channel = cancellationChannel(services.config.redis.prefix)
    return async (event) => {
      if (event.type === 'TaskCancelled') await services.redis.publish(channel, event.meta.aggregateId)
    }
  },
}
