import type { TaskPriority } from '../../events/generated/event-types.ts'
import type { TaskStatus } from './task.lifecycle.ts'

/**
 * What the task decider needs to know, and what a worker needs to run the task (the state is
 * returned by StartTask). The read model holds the rest. JSON-serialisable: it is the snapshot.
 */
export type TaskState =
  | Readonly<{ exists: false }>
  | Readonly<{
      exists: true
      status: TaskStatus
      createdBy: string
      title: string
      pool: string
      projectId: string | null
      priority: TaskPriority
      /** JSON text, as in TaskCreated */
      payload: string
      timeoutMs: number
      maxAttempts: number
      progress: number
      /** the current (or last) attempt, 1-based */
      attempt: number
      /** first attempt of the current retry budget (requeue and manual retry start a new one) */
      budgetStart: number
      /** version of the last TaskQueued: a dispatch record is valid only for it */
      queuedVersion: number
      /** fencing epoch of the current holder; grows with every claim and start */
      leaseEpoch: number
      /** the agent or worker holding the task (claimed/running) */
      holder: string | null
      startedAt: number | null
      assignedAgentId: string | null
      dependsOn: readonly string[]
      openDependencies: readonly string[]
      pendingInput: Readonly<{ requestId: string; question: string }> | null
      /** answers to input requests, in order, handed to the handler when it resumes */
      inputs: readonly Readonly<{ requestId: string; response: string }>[]
      lastError: string | null
      purged: boolean
    }>

export type ExistingTask = Extract<TaskState, { exists: true }>

/** Attempts used from the current budget, counting the current one. */
export const attemptsUsed = (t: ExistingTask): number => t.attempt - t.budgetStart + 1
