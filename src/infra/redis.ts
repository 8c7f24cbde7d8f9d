import { Redis } from 'ioredis'
import type { Config } from '../config.ts'
import type { Logger } from './logger.ts'

export type { Redis }

/**
 * Fails fast instead of queueing commands forever when Redis is down. Auto-pipelining sends the
 * commands of concurrent requests issued in one tick as one write: far fewer syscalls under load.
 */
export function createRedis(config: Pick<Config, 'redis'>, logger: Logger): Redis {
  const redis = new Redis(config.redis.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 2_000,
    enableAutoPipelining: true,
  })
  // Without a listener ioredis prints every connection error with a stack trace; it reconnects by itself.
  redis.on('error', (error: Error) => logger.warn({ err: { message: error.message } }, 'redis connection error'))
  return redis
}
