import { TaskPriority, type TaskEvent } from '../../events/generated/event-types.ts'

/**
 * The task lifecycle, in one place: the decider's state, the tasks and queue-stats read models
 * and the queue feeder all follow these rules, so they cannot disagree about where a task is.
 * Pure, and free of write-side internals, so the read side may import it.
 *
 *   created → (waiting →) queued → claimed → running ⇄ awaiting_input →
 *   completed | failed | cancelled | dead_lettered, with retry_scheduled between attempts.
 */
export const TaskStatus = [
  'created',
  'waiting',
  'queued',
  'claimed',
  'running',
  'awaiting_input',
  'retry_scheduled',
  'completed',
  'failed',
  'cancelled',
  'dead_lettered',
] as const
export type TaskStatus = (typeof TaskStatus)[number]

/** A task in one of these never runs again unless retried or requeued. */
export const terminalStatuses: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled', 'dead_lettered'])
/** Someone holds the task: an HTTP agent's claim or a worker's run. */
export const heldStatuses: ReadonlySet<TaskStatus> = new Set(['claimed', 'running'])
/** Not started yet: a new dependency makes such a task wait again. */
const waitsForNewDependency: ReadonlySet<TaskStatus> = new Set(['created', 'queued'])

/** Compile-time exhaustiveness; at run time an event type this build does not know leaves the status alone. */
const unknownEvent = (_event: never, status: TaskStatus): TaskStatus => status

/**
 * The status of a task after one of its events. A task is `created` before its first event:
 * fold from there (TaskCreated decides by itself whether the task waits for dependencies).
 */
export function statusAfter(status: TaskStatus, event: TaskEvent): TaskStatus {
  switch (event.type) {
    case 'TaskCreated':
      return event.data.dependsOn.length > 0 ? 'waiting' : 'created'
    case 'TaskQueued':
      return 'queued'
    case 'TaskDependencyAdded':
      return waitsForNewDependency.has(status) ? 'waiting' : status
    case 'TaskClaimed':
      return 'claimed'
    case 'TaskStarted':
      return 'running'
    case 'TaskInputRequested':
      return 'awaiting_input'
    case 'TaskCompleted':
      return 'completed'
    case 'TaskFailed':
      return 'failed'
    case 'TaskLeaseExpired':
      return 'failed'
    case 'TaskRetryScheduled':
      return 'retry_scheduled'
    case 'TaskDeadLettered':
      return 'dead_lettered'
    case 'TaskCancelled':
      return 'cancelled'
    // Bookkeeping: the decider queues a waiting task whose last dependency goes (with a
    // TaskQueued of its own) and resumes an answered one the same way, so these move nothing.
    case 'TaskDependencyRemoved':
    case 'TaskDependencyResolved':
    case 'TaskAssigned':
    case 'TaskProgressReported':
    case 'TaskInputReceived':
    case 'TaskPurged':
      return status
    default:
      return unknownEvent(event, status)
  }
}

/**
 * Events after which a task no longer waits in a pull queue. Each moves a queued task out of
 * `queued` (see statusAfter), except TaskPurged: a purge only follows a dead letter, and a purged
 * task must never be served whatever the queue still holds. TaskQueued puts a task in; TaskCreated
 * is always first, there is nothing to remove yet.
 */
export const queueLeavingEvents = [
  'TaskClaimed',
  'TaskStarted',
  'TaskCancelled',
  'TaskDeadLettered',
  'TaskCompleted',
  'TaskFailed',
  'TaskLeaseExpired',
  'TaskRetryScheduled',
  'TaskInputRequested',
  'TaskDependencyAdded',
  'TaskPurged',
] as const satisfies readonly TaskEvent['type'][]
const leaving: ReadonlySet<string> = new Set(queueLeavingEvents)

/** Whether an event (of any type name) takes its task out of the pull queue. */
export const leavesQueue = (eventType: string): boolean => leaving.has(eventType)

/** Sort rank of a priority: CRITICAL = 0 first, LOW last; -1 for a name that is no priority. */
export const priorityRank = (priority: string): number => TaskPriority.indexOf(priority as TaskPriority)

/** The priority of a rank (the inverse of priorityRank); undefined outside the ranks. */
export const priorityOfRank = (rank: number): TaskPriority | undefined => TaskPriority[rank]
