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

export type TaskEvent =
  | { readonly type: 'TaskCancelled'; readonly data: TaskCancelledData }
  | { readonly type: 'TaskCreated'; readonly data: TaskCreatedData }
  | { readonly type: 'TaskProgressReported'; readonly data: TaskProgressReportedData }

/** Event type names by aggregate type; the aggregate type names the topic `<prefix>.<aggregate>.events`. */
export const eventTypesByAggregate = {
  'task': ['TaskCancelled', 'TaskCreated', 'TaskProgressReported'],
} as const

export type AggregateType = keyof typeof eventTypesByAggregate
export type EventsByAggregate = {
  'task': TaskEvent
}
export type DomainEvent = EventsByAggregate[AggregateType]
export type EventType = DomainEvent['type']
