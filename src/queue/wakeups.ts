import type { Redis } from 'ioredis'
import type { Logger } from '../infra/logger.ts'

/**
 * Pub/sub wake-ups for waiters in this process: one subscriber connection per pattern, opened on
 * the first wait and closed with the main connection. `wait` resolves on a message for the channel
 * or after `ms`, whichever comes first; callers re-check their condition either way.
 */
export function createWakeups(deps: { redis: Redis; pattern: string; logger: Logger }) {
  const waiters = new Map<string, Set<() => void>>()
  let subscriber: Redis | undefined

  const connect = (): void => {
    if (subscriber) return
    const sub = deps.redis.duplicate({ enableAutoPipelining: false })
    subscriber = sub
    sub.on('error', (error: Error) => deps.logger.warn({ err: { message: error.message } }, 'wake-up subscriber error'))
    sub.on('pmessage', (_pattern: string, channel: string) => {
      const set = waiters.get(channel)
      if (!set) return
      waiters.delete(channel)
      for (const wake of set) wake()
    })
    void sub
      .psubscribe(deps.pattern)
      .catch((error: Error) => deps.logger.warn({ err: { message: error.message } }, 'wake-up subscribe failed'))
    deps.redis.once('end', () => sub.disconnect())
  }

  return {
    /** Registers a waiter now (before the caller re-checks), so a message in between is not lost. */
    arm(channel: string): { wait: (ms: number) => Promise<void>; cancel: () => void } {
      connect()
      let wake!: () => void
      const woken = new Promise<void>((resolve) => {
        wake = resolve
      })
      const set = waiters.get(channel) ?? new Set()
      set.add(wake)
      waiters.set(channel, set)
      const cancel = () => {
        const current = waiters.get(channel)
        current?.delete(wake)
        if (current?.size === 0) waiters.delete(channel)
        wake()
      }
      return {
        cancel,
        wait: async (ms: number) => {
          let timer: NodeJS.Timeout | undefined
          await Promise.race([
            woken,
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, Math.max(0, ms))
            }),
          ])
          clearTimeout(timer)
          cancel()
        },
      }
    },
    close(): void {
      subscriber?.disconnect()
      subscriber = undefined
    },
  }
}

export type Wakeups = ReturnType<typeof createWakeups>
