import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

/** A Lua script called by SHA (EVALSHA), loaded on first NOSCRIPT: saves sending the body each call. */
export function redisScript(redis: Redis, source: string) {
  const sha = createHash('sha1').update(source).digest('hex')
  return async (keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return redis.eval(source, keys.length, ...keys, ...args)
    }
  }
}
