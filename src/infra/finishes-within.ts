import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Waits for `work` at most `ms`: true once it finished (its rejection is rethrown), false while it
 * is still pending at the deadline. The timer is cancelled either way, so it keeps no process alive.
 */
export async function finishesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController()
  try {
    return await Promise.race([work.then(() => true), sleep(ms, false, { signal: timer.signal }).catch(() => true)])
  } finally {
    timer.abort()
  }
}
