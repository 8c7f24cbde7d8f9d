import type { TaskPriority } from '../../events/generated/event-types.ts'

/**
 * Task commands. Time (`now`), randomness (`retryDelayMs`) and ids arrive inside commands:
 * the decider stays pure. `leaseEpoch` fences an agent or worker whose lease was reaped.
 */
export type CreateTask = Readonly<{
  type: 'CreateTask'
  /** the id of the task being created: the decider refuses it in dependsOn */
  taskId: string
  commandId: string
  title: string
  description: string | null
  pool: string
  role: string | null
  priority: TaskPriority
  payload: unknown
  metadata: Readonly<Record<string, unknown>>
  maxAttempts: number
  timeoutMs: number
  projectId: string | null
  workflowId: string | null
  dependsOn: readonly string[]
}>

/** `taskId` is the task that will wait: the decider refuses it as its own dependency. */
export type AddTaskDependency = Readonly<{ type: 'AddTaskDependency'; taskId: string; dependencyId: string }>
export type RemoveTaskDependency = Readonly<{ type: 'RemoveTaskDependency'; dependencyId: string }>
/** A dependency completed (issued by the dependency reactor). */
export type ResolveTaskDependency = Readonly<{ type: 'ResolveTaskDependency'; dependencyId: string }>
export type AssignTask = Readonly<{ type: 'AssignTask'; agentId: string }>
/** An HTTP-pulled agent takes the task with a lease. */
export type ClaimTask = Readonly<{ type: 'ClaimTask'; agentId: string; leaseMs: number; now: number }>
/**
 * Start running: a worker starts a queued task from its dispatch record (`dispatchVersion` =
 * the TaskQueued version it carries); an agent starts the task it claimed (`leaseEpoch`).
 */
export type StartTask = Readonly<{ type: 'StartTask'; agentId: string; dispatchVersion: number | null; leaseEpoch: number | null }>
export type ReportTaskProgress = Readonly<{
  type: 'ReportTaskProgress'
  percent: number
  message: string | null
  leaseEpoch?: number | null
}>
export type RequestTaskInput = Readonly<{ type: 'RequestTaskInput'; requestId: string; question: string; leaseEpoch: number }>
export type ProvideTaskInput = Readonly<{ type: 'ProvideTaskInput'; requestId: string; response: unknown }>
/**
 * `leaseLapsed`: the caller's run lease expired before it asked (the lease lives in Redis and is
 * extended without events, so whoever checked it says so; the decision stays pure).
 */
export type CompleteTask = Readonly<{
  type: 'CompleteTask'
  agentId: string
  leaseEpoch: number
  result: unknown
  now: number
  leaseLapsed?: boolean
}>
export type FailTask = Readonly<{
  type: 'FailTask'
  agentId: string
  leaseEpoch: number
  error: string
  retryable: boolean
  now: number
  retryDelayMs: number
  leaseLapsed?: boolean
}>
/** The lease reaper found the holder's lease expired. */
export type ExpireTaskLease = Readonly<{ type: 'ExpireTaskLease'; leaseEpoch: number; now: number; retryDelayMs: number }>
/** A scheduled retry is due (issued by the retry scheduler). */
export type QueueTaskRetry = Readonly<{ type: 'QueueTaskRetry'; attempt: number }>
export type CancelTask = Readonly<{ type: 'CancelTask'; reason: string | null }>
/** Run a failed, cancelled or dead-lettered task again, with a fresh attempt budget. */
export type RetryTask = Readonly<{ type: 'RetryTask' }>
/** Take a task out of the dead letters and queue it again, with a fresh attempt budget. */
export type RequeueTask = Readonly<{ type: 'RequeueTask' }>
export type PurgeTask = Readonly<{ type: 'PurgeTask'; reason: string | null }>

export type TaskCommand =
  | CreateTask
  | AddTaskDependency
  | RemoveTaskDependency
  | ResolveTaskDependency
  | AssignTask
  | ClaimTask
  | StartTask
  | ReportTaskProgress
  | RequestTaskInput
  | ProvideTaskInput
  | CompleteTask
  | FailTask
  | ExpireTaskLease
  | QueueTaskRetry
  | CancelTask
  | RetryTask
  | RequeueTask
  | PurgeTask
