import type { Redis } from 'ioredis'

/** Redis pub/sub channel on which cancelled task ids are announced to running workers. */
export const cancellationChannel = (redisPrefix: string): string => `${redisPrefix}task-cancelled`

/**
 * Subscribes to cancellations on a dedicated connection. Delivery is best effort: a worker that
 * misses one still cannot finish the task, because the decider refuses to complete a cancelled task.
 */
export async function subscribeCancellations(
  redis: Redis,
  redisPrefix: string,
  onCancel: (taskId: string) => void,
): Promise<{ stop: () => Promise<void> }> {
  const sub = redis.duplicate()
  const channel = cancellationChannel(redisPrefix)
  sub.on('message', (ch: string, taskId: string) => {
    if (ch === channel) onCancel(taskId)
  })
  await sub.subscribe(channel)
  return {
    stop: async () => {
      await sub.quit().catch(() => sub.disconnect())
    },
  }
}
