import type { TaskPriority } from '../../events/generated/event-types.ts'

export type CreateTask = Readonly<{
  type: 'CreateTask'
  commandId: string
  title: string
  description: string | null
  pool: string
  priority: TaskPriority
  payload: unknown
  maxAttempts: number
  timeoutMs: number
  projectId: string | null
  workflowId: string | null
  dependsOn: readonly string[]
}>

export type ReportTaskProgress = Readonly<{ type: 'ReportTaskProgress'; percent: number; message: string | null }>
export type CancelTask = Readonly<{ type: 'CancelTask'; reason: string | null }>

export type TaskCommand = CreateTask | ReportTaskProgress | CancelTask
