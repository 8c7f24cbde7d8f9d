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

/** Payload of agentfleet.agent.AgentDeregistered (everything but meta). */
export type AgentDeregisteredData = {
  readonly reason: null | string
}
/** Payload of agentfleet.agent.AgentHosted (everything but meta). */
export type AgentHostedData = {
  readonly workerId: string
  readonly processId: string
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
}
/** Payload of agentfleet.pool.PoolDeleted (everything but meta). */
export type PoolDeletedData = {
  readonly drained: boolean
}
/** Payload of agentfleet.pool.PoolDrainStarted (everything but meta). */
export type PoolDrainStartedData = {
  readonly activeTasks: number
}
/** Payload of agentfleet.pool.PoolScaled (everything but meta). */
export type PoolScaledData = {
  readonly fromWorkers: number
  readonly toWorkers: number
  readonly lag: number
  readonly timeLagMs: number
  readonly reason: string
}
/** Payload of agentfleet.task.TaskCancelled (everything but meta). */
export type TaskCancelledData = {
  readonly reason: null | string
}
/** Payload of agentfleet.task.TaskCreated (everything but meta). */
export type TaskCreatedData = {
  readonly title: string
  readonly description: null | string
  readonly pool: string
  readonly priority: TaskPriority
  readonly payload: string
  readonly maxAttempts: number
  readonly timeoutMs: number
  readonly projectId: null | string
  readonly workflowId: null | string
  readonly dependsOn: readonly (string)[]
}
/** Payload of agentfleet.task.TaskProgressReported (everything but meta). */
export type TaskProgressReportedData = {
  readonly percent: number
  readonly message: null | string
}

export type AgentEvent =
  | { readonly type: 'AgentDeregistered'; readonly data: AgentDeregisteredData }
  | { readonly type: 'AgentHosted'; readonly data: AgentHostedData }
  | { readonly type: 'AgentRecovered'; readonly data: AgentRecoveredData }
  | { readonly type: 'AgentRegistered'; readonly data: AgentRegisteredData }
  | { readonly type: 'AgentSpawned'; readonly data: AgentSpawnedData }
  | { readonly type: 'AgentStatusChanged'; readonly data: AgentStatusChangedData }
  | { readonly type: 'AgentTerminated'; readonly data: AgentTerminatedData }
  | { readonly type: 'AgentTerminationRequested'; readonly data: AgentTerminationRequestedData }
  | { readonly type: 'AgentWentOffline'; readonly data: AgentWentOfflineData }
export type PoolEvent =
  | { readonly type: 'PoolConfigUpdated'; readonly data: PoolConfigUpdatedData }
  | { readonly type: 'PoolCreated'; readonly data: PoolCreatedData }
  | { readonly type: 'PoolDeleted'; readonly data: PoolDeletedData }
  | { readonly type: 'PoolDrainStarted'; readonly data: PoolDrainStartedData }
  | { readonly type: 'PoolScaled'; readonly data: PoolScaledData }
export type TaskEvent =
  | { readonly type: 'TaskCancelled'; readonly data: TaskCancelledData }
  | { readonly type: 'TaskCreated'; readonly data: TaskCreatedData }
  | { readonly type: 'TaskProgressReported'; readonly data: TaskProgressReportedData }

/** Event type names by aggregate type; the aggregate type names the topic `<prefix>.<aggregate>.events`. */
export const eventTypesByAggregate = {
  'agent': ['AgentDeregistered', 'AgentHosted', 'AgentRecovered', 'AgentRegistered', 'AgentSpawned', 'AgentStatusChanged', 'AgentTerminated', 'AgentTerminationRequested', 'AgentWentOffline'],
  'pool': ['PoolConfigUpdated', 'PoolCreated', 'PoolDeleted', 'PoolDrainStarted', 'PoolScaled'],
  'task': ['TaskCancelled', 'TaskCreated', 'TaskProgressReported'],
} as const

export type AggregateType = keyof typeof eventTypesByAggregate
export type EventsByAggregate = {
  'agent': AgentEvent
  'pool': PoolEvent
  'task': TaskEvent
}
export type DomainEvent = EventsByAggregate[AggregateType]
export type EventType = DomainEvent['type']
