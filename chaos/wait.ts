import { setTimeout as sleepFor } from 'node:timers/promises'

export const sleep = (ms: number): Promise<void> => sleepFor(ms)

/**
 * Asks `probe` every `everyMs` until it answers something other than undefined; undefined once
 * `timeoutMs` has passed. Unlike pollUntil, a probe that throws is asked again: during a fault
 * the thing probed is expected to fail for a while.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const answer = await probe().catch(() => undefined)
    if (answer !== undefined) return answer
    if (Date.now() >= deadline) return undefined
    await sleep(Math.min(everyMs, Math.max(0, deadline - Date.now())))
  }
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
