/**
 * Exponential backoff with full jitter (after the AWS architecture blog's "full jitter"):
 * attempt n waits a random time in [base, min(max, base·2^(n-1))]. Pure: the random number
 * comes in, so tests and replays are deterministic.
 */
export type RetryPolicy = Readonly<{ baseMs: number; maxMs: number }>

export const defaultRetryPolicy: RetryPolicy = { baseMs: 1_000, maxMs: 60_000 }

export function retryDelayMs(policy: RetryPolicy, failedAttempt: number, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failedAttempt - 1))
  return Math.round(policy.baseMs + (ceiling - policy.baseMs) * Math.min(1, Math.max(0, random)))
}
