import { z } from '@hono/zod-openapi'
import { id } from './tasks.schemas.ts'

export const ProgressBody = z
  .object({
    percent: z.number().int().min(0).max(100),
    message: z.string().max(2_000).nullish(),
  })
  .strict()
  .openapi('ReportProgress')

export const CancelBody = z
  .object({ reason: z.string().max(2_000).nullish() })
  .strict()
  .openapi('CancelTask')

export const AssignBody = z.object({ agentId: id }).strict().openapi('AssignTask')

export const AddDependencyBody = z.object({ dependsOn: id }).strict().openapi('AddTaskDependency')

export const DependencyParams = z.object({ id, depId: id })

const Edge = z.object({ id: z.string(), resolved: z.boolean(), status: z.string().nullable() })
export const DependencyGraph = z.object({ id: z.string(), dependsOn: z.array(Edge), dependents: z.array(Edge) }).openapi('TaskDependencies')

export const EventsQuery = z.object({
  minVersion: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({ description: 'wait (briefly) until the history has reached this version' }),
  afterVersion: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1_000).default(500),
})

export const EventView = z
  .object({
    version: z.number().int(),
    type: z.string(),
    eventId: z.string(),
    occurredAt: z.string(),
    data: z.record(z.string(), z.unknown()).openapi({ description: "the event's fields, decoded from Avro" }),
    meta: z.record(z.string(), z.unknown()),
    position: z.object({ topic: z.string(), partition: z.number().int(), offset: z.number().int() }),
  })
  .openapi('Event')

export const EventList = z
  .object({
    id: z.string(),
    items: z.array(EventView),
    next: z.number().int().optional().openapi({ description: 'pass as afterVersion for more' }),
  })
  .openapi('EventList')

export const AttemptView = z
  .object({
    attempt: z.number().int(),
    queuedVersion: z.number().int(),
    agentId: z.string().nullable(),
    queuedAt: z.string(),
    claimedAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    outcome: z.enum(['completed', 'failed', 'lease-expired', 'cancelled', 'input-requested']).nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int().nullable(),
  })
  .openapi('TaskAttempt')

export const AttemptList = z.object({ id: z.string(), items: z.array(AttemptView) }).openapi('TaskAttempts')
