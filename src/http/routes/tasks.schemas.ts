import { z } from '@hono/zod-openapi'
import { TaskPriority } from '../../events/generated/event-types.ts'

const id = z.string().min(1).max(100).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
const name = z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, _ and -')

export const CreateTaskBody = z.object({
  title: z.string().trim().min(1).max(500),
  description: z.string().max(10_000).nullish(),
  pool: name.openapi({ example: 'default' }),
  role: name.nullish().openapi({ description: 'role the task needs, for information and routing' }),
  priority: z.enum(TaskPriority).default('NORMAL'),
  metadata: z.record(z.string(), z.json().openapi({})).default({}).openapi({ type: 'object', description: 'labels, searchable with ?metadata=' }),
  payload: z.json().default({}).openapi({ type: 'object', example: { prompt: 'summarise the report' } }),
  maxAttempts: z.number().int().min(1).max(100).default(3),
  timeoutMs: z.number().int().min(100).max(86_400_000).default(300_000),
  projectId: id.nullish(),
  workflowId: id.nullish(),
  dependsOn: z.array(id).max(100).default([]),
}).strict().openapi('CreateTask')

export const ProgressBody = z.object({
  percent: z.number().int().min(0).max(100),
  message: z.string().max(2_000).nullish(),
}).strict().openapi('ReportProgress')

export const CancelBody = z.object({ reason: z.string().max(2_000).nullish() }).strict().openapi('CancelTask')

export const TaskView = z.object({
  id: z.string(),
  version: z.number().int(),
  title: z.string(),
  description: z.string().nullable(),
  pool: z.string(),
  priority: z.enum(TaskPriority),
  status: z.string(),
  payload: z.unknown(),
  maxAttempts: z.number().int(),
  timeoutMs: z.number().int(),
  projectId: z.string().nullable(),
  workflowId: z.string().nullable(),
  dependsOn: z.array(z.string()),
  progress: z.number().int(),
  progressMessage: z.string().nullable(),
  cancelReason: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi('Task')

export const TaskList = z.object({ items: z.array(TaskView), next: z.string().optional() }).openapi('TaskList')

export const CommandAccepted = z.object({
  id: z.string(),
  version: z.number().int().openapi({ description: 'aggregate version after the command; pass it as ?minVersion= to read your write' }),
  events: z.array(z.object({ type: z.string(), version: z.number().int(), eventId: z.string() })),
}).openapi('CommandAccepted')

export const TaskIdParam = z.object({ id })

export const MinVersionQuery = z.object({
  minVersion: z.coerce.number().int().min(1).optional().openapi({ description: 'wait (briefly) until the read model has reached this version' }),
})

export const ListTasksQuery = z.object({
  status: z.string().max(50).optional(),
  pool: name.optional(),
  priority: z.enum(TaskPriority).optional(),
  projectId: id.optional(),
  workflowId: id.optional(),
  createdAfter: z.iso.datetime({ offset: true }).optional(),
  createdBefore: z.iso.datetime({ offset: true }).optional(),
  payload: z.string().max(2_000).optional().openapi({ description: 'JSON the payload must contain, e.g. {"customer":"acme"}' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
})
