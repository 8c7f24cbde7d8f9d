import { attemptsUsed, type TaskState } from './task.state.ts'

/**
 * Exponential backoff with full jitter (after the AWS architecture blog's "full jitter"):
 * attempt n waits a random time in [base, min(max, base·2^(n-1))]. Pure: the random number
 * comes in, so tests and replays are deterministic.
 */
export type RetryPolicy = Readonly<{ baseMs: number; maxMs: number }>

export const defaultRetryPolicy: RetryPolicy = { baseMs: 1_000, maxMs: 60_000 }

/** The formula; `attemptOfBudget` counts from 1 within the retry budget. Callers holding a task use retryDelayFor. */
export function retryDelayMs(policy: RetryPolicy, attemptOfBudget: number, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attemptOfBudget - 1))
  return Math.round(policy.baseMs + (ceiling - policy.baseMs) * Math.min(1, Math.max(0, random)))
}

/**
 * The backoff after the task's current attempt fails — the one decision every retry path uses
 * (workers, HTTP-pulled agents, the lease reaper). It counts the attempts used from the retry
 * budget, not the absolute attempt: a manual retry or a requeue starts a fresh budget, so its
 * first failure waits about baseMs again instead of inheriting the grown ceiling.
 */
export const retryDelayFor = (policy: RetryPolicy, task: TaskState, random: number): number =>
  retryDelayMs(policy, task.exists ? attemptsUsed(task) : 1, random)
