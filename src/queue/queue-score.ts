import { priorityOfRank, priorityRank } from '../commands/task/task.lifecycle.ts'
import type { TaskPriority } from '../events/generated/event-types.ts'

/** Wider than any millisecond timestamp until the year 2286: the rank always dominates. */
const rankWidth = 1e13

/**
 * Sort key of a queued task: priority first (CRITICAL = 0), then FIFO by the time it was
 * queued. Equal scores fall back to the member (the task id, a ULID: time-ordered as well).
 */
export function queueScore(priority: TaskPriority, queuedAt: number): number {
  const rank = priorityRank(priority)
  if (rank < 0) throw new RangeError(`unknown priority ${priority}`)
  if (!Number.isInteger(queuedAt) || queuedAt < 0 || queuedAt >= rankWidth) throw new RangeError(`queuedAt out of range: ${queuedAt}`)
  return rank * rankWidth + queuedAt
}

/** The priority a score belongs to. */
export const priorityOfScore = (score: number): TaskPriority => priorityOfRank(Math.floor(score / rankWidth)) ?? 'LOW'
