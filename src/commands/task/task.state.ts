import type { TaskPriority } from '../../events/generated/event-types.ts'

export const TaskStatus = ['waiting', 'queued', 'cancelled'] as const
export type TaskStatus = (typeof TaskStatus)[number]

/** What the task decider needs to know; the read model holds the rest. */
export type TaskState =
  | Readonly<{ exists: false }>
  | Readonly<{
      exists: true
      status: TaskStatus
      createdBy: string
      pool: string
      priority: TaskPriority
      progress: number
    }>

export const terminalStatuses: ReadonlySet<TaskStatus> = new Set(['cancelled'])
