import type { EventLog } from './event-log.ts'

/** Whether this process can append now: the outcome of its latest append, and since when appends fail. */
export type AppendHealth = Readonly<{
  status: (now: number) => Readonly<{ ok: boolean; failingSinceMs?: number; error?: string }>
}>

/**
 * Wraps an event log to remember how its appends end. Appends that keep failing while every
 * probe answers (a broker that is back but not serving yet, a partition without a leader) must
 * still take the process out of rotation: readiness asks this. An old failure with no append
 * since (an idle process) stops counting after `windowMs`.
 */
export function trackAppends(log: EventLog, windowMs = 30_000): { log: EventLog; health: AppendHealth } {
  let failingSince: number | undefined
  let lastFailureAt = 0
  let lastError: string | undefined
  return {
    log: {
      ...log,
      append: async (records, sendBy) => {
        try {
          const delivered = await log.append(records, sendBy)
          failingSince = undefined
          return delivered
        } catch (error) {
          lastFailureAt = Date.now()
          failingSince ??= lastFailureAt
          lastError = (error as Error).message
          throw error
        }
      },
    },
    health: {
      status: (now) =>
        failingSince !== undefined && now - lastFailureAt < windowMs
          ? { ok: false, failingSinceMs: now - failingSince, error: lastError }
          : { ok: true },
    },
  }
}
