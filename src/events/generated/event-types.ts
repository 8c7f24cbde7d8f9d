// Generated from schemas/*.avsc by `npm run codegen`. Do not edit by hand.
/* eslint-disable */

export type EventMeta = {
  readonly eventId: string
  readonly aggregateId: string
  readonly version: number
  readonly occurredAt: number
  readonly commandId: string
  readonly correlationId: string
  readonly causationId: null | string
  readonly actor: string
}
export const TaskPriority = ['CRITICAL', 'HIGH', 'NORMAL', 'LOW'] as const
export type TaskPriority = (typeof TaskPriority)[number]
export type WorkflowStepSpec = {
  readonly stepId: string
  readonly title: string
  readonly pool: string
  readonly priority: TaskPriority
  readonly payload: string
  readonly dependsOn: readonly (string)[]
  readonly maxAttempts: number
  readonly timeoutMs: number
  readonly optional: boolean
}

/** Payload of agentfleet.agent.AgentDeregistered (everything but meta). */
export type AgentDeregisteredData = {
  readonly reason: null | string
}
/** Payload of agentfleet.agent.AgentHosted (everything but meta). */
export type AgentHostedData = {
  readonly workerId: string
  readonly processId: string
}
/** Payload of agentfleet.agent.AgentProfileUpdated (everything but meta). */
export type AgentProfileUpdatedData = {
  readonly role: null | string
  readonly capabilities: null | readonly (string)[]
  readonly metadata: null | string
}
/** Payload of agentfleet.agent.AgentRecovered (everything but meta). */
export type AgentRecoveredData = {
  readonly heartbeatAt: number
  readonly status: string
}
/** Payload of agentfleet.agent.AgentRegistered (everything but meta). */
export type AgentRegisteredData = {
  readonly name: string
  readonly role: string
  readonly pool: null | string
  readonly projectId: null | string
  readonly capabilities: readonly (string)[]
  readonly metadata: string
}
/** Payload of agentfleet.agent.AgentSpawned (everything but meta). */
export type AgentSpawnedData = {
  readonly name: string
  readonly role: string
  readonly pool: string
  readonly capabilities: readonly (string)[]
  readonly metadata: string
}
/** Payload of agentfleet.agent.AgentStatusChanged (everything but meta). */
export type AgentStatusChangedData = {
  readonly from: string
  readonly to: string
  readonly reason: null | string
}
/** Payload of agentfleet.agent.AgentTerminated (everything but meta). */
export type AgentTerminatedData = {
  readonly reason: null | string
}
/** Payload of agentfleet.agent.AgentTerminationRequested (everything but meta). */
export type AgentTerminationRequestedData = {
  readonly graceful: boolean
  readonly reason: null | string
}
/** Payload of agentfleet.agent.AgentWentOffline (everything but meta). */
export type AgentWentOfflineData = {
  readonly lastHeartbeatAt: number
  readonly previousStatus: string
}
/** Payload of agentfleet.hitl.HitlCancelled (everything but meta). */
export type HitlCancelledData = {
  readonly taskId: null | string
  readonly reason: null | string
  readonly cancelTask: boolean
}
/** Payload of agentfleet.hitl.HitlExpired (everything but meta). */
export type HitlExpiredData = {
  readonly taskId: null | string
  readonly expiresAt: null | number
}
/** Payload of agentfleet.hitl.HitlRequested (everything but meta). */
export type HitlRequestedData = {
  readonly taskId: null | string
  readonly agentId: null | string
  readonly projectId: null | string
  readonly question: string
  readonly options: null | readonly (string)[]
  readonly context: string
  readonly expiresAt: null | number
}
/** Payload of agentfleet.hitl.HitlResponded (everything but meta). */
export type HitlRespondedData = {
  readonly taskId: null | string
  readonly response: string
  readonly respondedBy: string
}
/** Payload of agentfleet.pool.PoolConfigUpdated (everything but meta). */
export type PoolConfigUpdatedData = {
  readonly role: string
  readonly handler: string
  readonly handlerConfig: string
  readonly maxAgentsPerProcess: number
  readonly minWorkers: number
  readonly maxWorkers: number
  readonly lagThreshold: number
  readonly scaleIntervalMs: number
  readonly scaleDownStabilizationMs: number
  readonly mode: string
}
/** Payload of agentfleet.pool.PoolCreated (everything but meta). */
export type PoolCreatedData = {
  readonly role: string
  readonly handler: string
  readonly handlerConfig: string
  readonly maxAgentsPerProcess: number
  readonly minWorkers: number
  readonly maxWorkers: number
  readonly lagThreshold: number
  readonly scaleIntervalMs: number
  readonly scaleDownStabilizationMs: number
  readonly mode: string
}
/** Payload of agentfleet.pool.PoolDegraded (everything but meta). */
export type PoolDegradedData = {
  readonly reason: string
  readonly failures: number
}
/** Payload of agentfleet.pool.PoolDeleted (everything but meta). */
export type PoolDeletedData = {
  readonly drained: boolean
}
/** Payload of agentfleet.pool.PoolDrainStarted (everything but meta). */
export type PoolDrainStartedData = {
  readonly activeTasks: number
}
/** Payload of agentfleet.pool.PoolRecovered (everything but meta). */
export type PoolRecoveredData = {
  readonly failures: number
}
/** Payload of agentfleet.pool.PoolScaled (everything but meta). */
export type PoolScaledData = {
  readonly fromWorkers: number
  readonly toWorkers: number
  readonly lag: number
  readonly timeLagMs: number
  readonly reason: string
}
/** Payload of agentfleet.project.ProjectArchived (everything but meta). */
export type ProjectArchivedData = {
  readonly reason: null | string
}
/** Payload of agentfleet.project.ProjectCreated (everything but meta). */
export type ProjectCreatedData = {
  readonly name: string
  readonly description: null | string
  readonly metadata: string
}
/** Payload of agentfleet.project.ProjectUpdated (everything but meta). */
export type ProjectUpdatedData = {
  readonly name: string
  readonly description: null | string
  readonly metadata: string
}
/** Payload of agentfleet.task.TaskAssigned (everything but meta). */
export type TaskAssignedData = {
  readonly agentId: string
}
/** Payload of agentfleet.task.TaskCancelled (everything but meta). */
export type TaskCancelledData = {
  readonly reason: null | string
}
/** Payload of agentfleet.task.TaskClaimed (everything but meta). */
export type TaskClaimedData = {
  readonly agentId: string
  readonly attempt: number
  readonly leaseEpoch: number
  readonly leaseExpiresAt: number
}
/** Payload of agentfleet.task.TaskCompleted (everything but meta). */
export type TaskCompletedData = {
  readonly agentId: string
  readonly attempt: number
  readonly result: string
  readonly durationMs: number
}
/** Payload of agentfleet.task.TaskCreated (everything but meta). */
export type TaskCreatedData = {
  readonly title: string
  readonly description: null | string
  readonly pool: string
  readonly role: null | string
  readonly priority: TaskPriority
  readonly payload: string
  readonly maxAttempts: number
  readonly timeoutMs: number
  readonly projectId: null | string
  readonly workflowId: null | string
  readonly dependsOn: readonly (string)[]
  readonly metadata: null | string
}
/** Payload of agentfleet.task.TaskDeadLettered (everything but meta). */
export type TaskDeadLetteredData = {
  readonly attempts: number
  readonly lastError: string
  readonly pool: string
  readonly priority: TaskPriority
}
/** Payload of agentfleet.task.TaskDependencyAdded (everything but meta). */
export type TaskDependencyAddedData = {
  readonly dependencyId: string
}
/** Payload of agentfleet.task.TaskDependencyRemoved (everything but meta). */
export type TaskDependencyRemovedData = {
  readonly dependencyId: string
}
/** Payload of agentfleet.task.TaskDependencyResolved (everything but meta). */
export type TaskDependencyResolvedData = {
  readonly dependencyId: string
}
/** Payload of agentfleet.task.TaskFailed (everything but meta). */
export type TaskFailedData = {
  readonly agentId: null | string
  readonly attempt: number
  readonly error: string
  readonly retryable: boolean
}
/** Payload of agentfleet.task.TaskInputReceived (everything but meta). */
export type TaskInputReceivedData = {
  readonly requestId: string
  readonly response: string
}
/** Payload of agentfleet.task.TaskInputRequested (everything but meta). */
export type TaskInputRequestedData = {
  readonly requestId: string
  readonly question: string
}
/** Payload of agentfleet.task.TaskLeaseExpired (everything but meta). */
export type TaskLeaseExpiredData = {
  readonly agentId: string
  readonly attempt: number
  readonly leaseEpoch: number
}
/** Payload of agentfleet.task.TaskProgressReported (everything but meta). */
export type TaskProgressReportedData = {
  readonly percent: number
  readonly message: null | string
}
/** Payload of agentfleet.task.TaskPurged (everything but meta). */
export type TaskPurgedData = {
  readonly reason: null | string
}
/** Payload of agentfleet.task.TaskQueued (everything but meta). */
export type TaskQueuedData = {
  readonly attempt: number
  readonly reason: string
  readonly pool: string
  readonly priority: TaskPriority
}
/** Payload of agentfleet.task.TaskRetryScheduled (everything but meta). */
export type TaskRetryScheduledData = {
  readonly attempt: number
  readonly retryAt: number
  readonly delayMs: number
}
/** Payload of agentfleet.task.TaskStarted (everything but meta). */
export type TaskStartedData = {
  readonly agentId: string
  readonly attempt: number
  readonly leaseEpoch: number
}
/** Payload of agentfleet.workflow.WorkflowCancelled (everything but meta). */
export type WorkflowCancelledData = {
  readonly reason: null | string
  readonly openTaskIds: readonly (string)[]
}
/** Payload of agentfleet.workflow.WorkflowCompleted (everything but meta). */
export type WorkflowCompletedData = {
  readonly completedSteps: number
  readonly skippedSteps: number
}
/** Payload of agentfleet.workflow.WorkflowCreated (everything but meta). */
export type WorkflowCreatedData = {
  readonly name: string
  readonly description: null | string
  readonly projectId: null | string
  readonly steps: readonly (WorkflowStepSpec)[]
}
/** Payload of agentfleet.workflow.WorkflowFailed (everything but meta). */
export type WorkflowFailedData = {
  readonly stepId: string
  readonly error: string
  readonly openTaskIds: readonly (string)[]
}
/** Payload of agentfleet.workflow.WorkflowStarted (everything but meta). */
export type WorkflowStartedData = {
  readonly projectId: null | string
  readonly steps: readonly (WorkflowStepSpec)[]
}
/** Payload of agentfleet.workflow.WorkflowStepCompleted (everything but meta). */
export type WorkflowStepCompletedData = {
  readonly stepId: string
  readonly taskId: string
  readonly dependencyId: string
  readonly dependentTaskIds: readonly (string)[]
}
/** Payload of agentfleet.workflow.WorkflowStepFailed (everything but meta). */
export type WorkflowStepFailedData = {
  readonly stepId: string
  readonly taskId: string
  readonly error: string
}
/** Payload of agentfleet.workflow.WorkflowStepSkipped (everything but meta). */
export type WorkflowStepSkippedData = {
  readonly stepId: string
  readonly taskId: string
  readonly error: string
  readonly dependencyId: string
  readonly dependentTaskIds: readonly (string)[]
}

/** agentfleet.dispatch.DeadLetterRecord (not an event). */
export type DeadLetterRecord = {
  readonly taskId: string
  readonly pool: string
  readonly priority: TaskPriority
  readonly attempts: number
  readonly lastError: string
  readonly version: number
  readonly deadLetteredAt: number
  readonly correlationId: string
}
/** agentfleet.dispatch.DispatchRecord (not an event). */
export type DispatchRecord = {
  readonly taskId: string
  readonly pool: string
  readonly priority: TaskPriority
  readonly attempt: number
  readonly dispatchVersion: number
  readonly queuedAt: number
  readonly correlationId: string
}

export type AgentEvent =
  | { readonly type: 'AgentDeregistered'; readonly data: AgentDeregisteredData }
  | { readonly type: 'AgentHosted'; readonly data: AgentHostedData }
  | { readonly type: 'AgentProfileUpdated'; readonly data: AgentProfileUpdatedData }
  | { readonly type: 'AgentRecovered'; readonly data: AgentRecoveredData }
  | { readonly type: 'AgentRegistered'; readonly data: AgentRegisteredData }
  | { readonly type: 'AgentSpawned'; readonly data: AgentSpawnedData }
  | { readonly type: 'AgentStatusChanged'; readonly data: AgentStatusChangedData }
  | { readonly type: 'AgentTerminated'; readonly data: AgentTerminatedData }
  | { readonly type: 'AgentTerminationRequested'; readonly data: AgentTerminationRequestedData }
  | { readonly type: 'AgentWentOffline'; readonly data: AgentWentOfflineData }
export type HitlEvent =
  | { readonly type: 'HitlCancelled'; readonly data: HitlCancelledData }
  | { readonly type: 'HitlExpired'; readonly data: HitlExpiredData }
  | { readonly type: 'HitlRequested'; readonly data: HitlRequestedData }
  | { readonly type: 'HitlResponded'; readonly data: HitlRespondedData }
export type PoolEvent =
  | { readonly type: 'PoolConfigUpdated'; readonly data: PoolConfigUpdatedData }
  | { readonly type: 'PoolCreated'; readonly data: PoolCreatedData }
  | { readonly type: 'PoolDegraded'; readonly data: PoolDegradedData }
  | { readonly type: 'PoolDeleted'; readonly data: PoolDeletedData }
  | { readonly type: 'PoolDrainStarted'; readonly data: PoolDrainStartedData }
  | { readonly type: 'PoolRecovered'; readonly data: PoolRecoveredData }
  | { readonly type: 'PoolScaled'; readonly data: PoolScaledData }
export type ProjectEvent =
  | { readonly type: 'ProjectArchived'; readonly data: ProjectArchivedData }
  | { readonly type: 'ProjectCreated'; readonly data: ProjectCreatedData }
  | { readonly type: 'ProjectUpdated'; readonly data: ProjectUpdatedData }
export type TaskEvent =
  | { readonly type: 'TaskAssigned'; readonly data: TaskAssignedData }
  | { readonly type: 'TaskCancelled'; readonly data: TaskCancelledData }
  | { readonly type: 'TaskClaimed'; readonly data: TaskClaimedData }
  | { readonly type: 'TaskCompleted'; readonly data: TaskCompletedData }
  | { readonly type: 'TaskCreated'; readonly data: TaskCreatedData }
  | { readonly type: 'TaskDeadLettered'; readonly data: TaskDeadLetteredData }
  | { readonly type: 'TaskDependencyAdded'; readonly data: TaskDependencyAddedData }
  | { readonly type: 'TaskDependencyRemoved'; readonly data: TaskDependencyRemovedData }
  | { readonly type: 'TaskDependencyResolved'; readonly data: TaskDependencyResolvedData }
  | { readonly type: 'TaskFailed'; readonly data: TaskFailedData }
  | { readonly type: 'TaskInputReceived'; readonly data: TaskInputReceivedData }
  | { readonly type: 'TaskInputRequested'; readonly data: TaskInputRequestedData }
  | { readonly type: 'TaskLeaseExpired'; readonly data: TaskLeaseExpiredData }
  | { readonly type: 'TaskProgressReported'; readonly data: TaskProgressReportedData }
  | { readonly type: 'TaskPurged'; readonly data: TaskPurgedData }
  | { readonly type: 'TaskQueued'; readonly data: TaskQueuedData }
  | { readonly type: 'TaskRetryScheduled'; readonly data: TaskRetryScheduledData }
  | { readonly type: 'TaskStarted'; readonly data: TaskStartedData }
export type WorkflowEvent =
  | { readonly type: 'WorkflowCancelled'; readonly data: WorkflowCancelledData }
  | { readonly type: 'WorkflowCompleted'; readonly data: WorkflowCompletedData }
  | { readonly type: 'WorkflowCreated'; readonly data: WorkflowCreatedData }
  | { readonly type: 'WorkflowFailed'; readonly data: WorkflowFailedData }
  | { readonly type: 'WorkflowStarted'; readonly data: WorkflowStartedData }
  | { readonly type: 'WorkflowStepCompleted'; readonly data: WorkflowStepCompletedData }
  | { readonly type: 'WorkflowStepFailed'; readonly data: WorkflowStepFailedData }
  | { readonly type: 'WorkflowStepSkipped'; readonly data: WorkflowStepSkippedData }

/** Event type names by aggregate type; the aggregate type names the topic `<prefix>.<aggregate>.events`. */
export const eventTypesByAggregate = {
  'agent': ['AgentDeregistered', 'AgentHosted', 'AgentProfileUpdated', 'AgentRecovered', 'AgentRegistered', 'AgentSpawned', 'AgentStatusChanged', 'AgentTerminated', 'AgentTerminationRequested', 'AgentWentOffline'],
  'hitl': ['HitlCancelled', 'HitlExpired', 'HitlRequested', 'HitlResponded'],
  'pool': ['PoolConfigUpdated', 'PoolCreated', 'PoolDegraded', 'PoolDeleted', 'PoolDrainStarted', 'PoolRecovered', 'PoolScaled'],
  'project': ['ProjectArchived', 'ProjectCreated', 'ProjectUpdated'],
  'task': ['TaskAssigned', 'TaskCancelled', 'TaskClaimed', 'TaskCompleted', 'TaskCreated', 'TaskDeadLettered', 'TaskDependencyAdded', 'TaskDependencyRemoved', 'TaskDependencyResolved', 'TaskFailed', 'TaskInputReceived', 'TaskInputRequested', 'TaskLeaseExpired', 'TaskProgressReported', 'TaskPurged', 'TaskQueued', 'TaskRetryScheduled', 'TaskStarted'],
  'workflow': ['WorkflowCancelled', 'WorkflowCompleted', 'WorkflowCreated', 'WorkflowFailed', 'WorkflowStarted', 'WorkflowStepCompleted', 'WorkflowStepFailed', 'WorkflowStepSkipped'],
} as const

export type AggregateType = keyof typeof eventTypesByAggregate
export type EventsByAggregate = {
  'agent': AgentEvent
  'hitl': HitlEvent
  'pool': PoolEvent
  'project': ProjectEvent
  'task': TaskEvent
  'workflow': WorkflowEvent
}
export type DomainEvent = EventsByAggregate[AggregateType]
export type EventType = DomainEvent['type']
