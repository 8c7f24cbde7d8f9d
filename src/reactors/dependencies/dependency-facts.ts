import type { StoredEvent } from '../../events/envelope.ts'
import type { TaskEvent } from '../../events/generated/event-types.ts'

/** How a task that others may wait for ended; null: it can run (again). */
export type Outcome = 'completed' | 'failed' | 'cancelled' | 'dead_lettered' | null

/** What the dependency manager learns from one task event. */
export type DependencyFact =
  | Readonly<{ kind: 'outcome'; taskId: string; outcome: Outcome; version: number }>
  | Readonly<{ kind: 'edges'; taskId: string; dependencies: readonly string[]; open: boolean; version: number }>

/**
 * Pure: the fact an event carries, if any. A retryable failure is not an outcome (a retry or a
 * dead letter follows); a manual retry or a requeue makes a finished task live again.
 */
export function dependencyFact(event: StoredEvent): DependencyFact | undefined {
  const e = event as unknown as TaskEvent
  const base = { taskId: event.meta.aggregateId, version: event.meta.version }
  switch (e.type) {
    case 'TaskCompleted':
      return { kind: 'outcome', ...base, outcome: 'completed' }
    case 'TaskFailed':
      return e.data.retryable ? undefined : { kind: 'outcome', ...base, outcome: 'failed' }
    case 'TaskCancelled':
      return { kind: 'outcome', ...base, outcome: 'cancelled' }
    case 'TaskDeadLettered':
      return { kind: 'outcome', ...base, outcome: 'dead_lettered' }
    case 'TaskQueued':
      return e.data.reason === 'manual-retry' || e.data.reason === 'requeued' ? { kind: 'outcome', ...base, outcome: null } : undefined
    case 'TaskCreated':
      return e.data.dependsOn.length > 0 ? { kind: 'edges', ...base, dependencies: e.data.dependsOn, open: true } : undefined
    case 'TaskDependencyAdded':
      return { kind: 'edges', ...base, dependencies: [e.data.dependencyId], open: true }
    case 'TaskDependencyRemoved':
    case 'TaskDependencyResolved':
      return { kind: 'edges', ...base, dependencies: [e.data.dependencyId], open: false }
    default:
      return undefined
  }
}

/** The reason a dependent is cancelled with. */
export const cancelReason = (dependencyId: string, outcome: Exclude<Outcome, 'completed' | null>): string =>
  `dependency ${dependencyId} ${outcome}`
