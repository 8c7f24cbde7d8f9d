import { Redis } from 'ioredis'
import type { Config } from '../config.ts'

export type { Redis }

/** Fails fast instead of queueing commands forever when Redis is down. */
export function createRedis(config: Pick<Config, 'redis'>): Redis {
  return new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 2_000 })
}
