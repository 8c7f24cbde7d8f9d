import { z } from '@hono/zod-openapi'
import { TaskStatus } from '../../commands/task/task.lifecycle.ts'
import { TaskPriority } from '../../events/generated/event-types.ts'
import { TaskSorts } from '../../projections/tasks/task-cursor.ts'

/** A priority in any case (`high`, `High`, `HIGH`); the API answers with the upper-case name. */
export const priority = z.preprocess(
  (v) => (typeof v === 'string' ? v.toUpperCase() : v),
  z.enum(TaskPriority).openapi({ description: 'CRITICAL, HIGH, NORMAL or LOW (any case)' }),
)

export const id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
export const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, _ and -')
const dependencyList = z.array(id).max(100)

export const CreateTaskBody = z
  .object({
    title: z.string().trim().min(1).max(500),
    description: z.string().max(10_000).nullish(),
    pool: name.optional().openapi({ example: 'default', description: 'pool that runs the task; may be omitted when a role is given' }),
    role: name.nullish().openapi({ description: 'role the task needs; without a pool, the active pool with this role runs it' }),
    priority: priority.default('NORMAL'),
    metadata: z
      .record(z.string(), z.json().openapi({}))
      .default({})
      .openapi({ type: 'object', description: 'labels, searchable with ?metadata=' }),
    payload: z
      .json()
      .default({})
      .openapi({ type: 'object', example: { prompt: 'summarise the report' } }),
    maxAttempts: z.number().int().min(1).max(100).default(3),
    timeoutMs: z.number().int().min(100).max(86_400_000).default(300_000),
    projectId: id.nullish(),
    workflowId: id.nullish(),
    dependsOn: dependencyList.optional().openapi({ description: 'ids of tasks that must complete first' }),
    dependencies: dependencyList.optional().openapi({ description: 'the same as dependsOn' }),
  })
  .strict()
  .refine((b) => !(b.dependsOn && b.dependencies), { message: 'give dependsOn or dependencies, not both', path: ['dependencies'] })
  .openapi('CreateTask')

const statusList = z
  .string()
  .max(300)
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(TaskStatus)))

export const ListTasksQuery = z.object({
  status: statusList.optional().openapi({ type: 'string', description: 'one status or several, comma-separated' }),
  pool: name.optional(),
  priority: priority.optional(),
  role: name.optional(),
  agentId: id.optional().openapi({ description: 'the agent holding (or last holding) the task, or assigned to it' }),
  projectId: id.optional(),
  workflowId: id.optional(),
  createdAfter: z.iso.datetime({ offset: true }).optional(),
  createdBefore: z.iso.datetime({ offset: true }).optional(),
  payload: z.string().max(2_000).optional().openapi({ description: 'JSON the payload must contain, e.g. {"customer":"acme"}' }),
  metadata: z.string().max(2_000).optional().openapi({ description: 'JSON object the metadata must contain, e.g. {"team":"blue"}' }),
  q: z.string().trim().min(1).max(200).optional().openapi({ description: 'text the title contains (case-insensitive)' }),
  sort: z.enum(TaskSorts).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc').openapi({ description: 'priority desc = most urgent first, oldest first within a level' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional().openapi({ description: 'the `next` of the previous page (same sort and order)' }),
})

const time = z.string().nullable()

export const TaskView = z
  .object({
    id: z.string(),
    version: z.number().int(),
    title: z.string(),
    description: z.string().nullable(),
    pool: z.string(),
    role: z.string().nullable(),
    priority: z.enum(TaskPriority),
    status: z.enum(TaskStatus),
    payload: z.unknown(),
    metadata: z.record(z.string(), z.unknown()),
    maxAttempts: z.number().int(),
    timeoutMs: z.number().int(),
    projectId: z.string().nullable(),
    workflowId: z.string().nullable(),
    dependsOn: z.array(z.string()),
    openDependencies: z.array(z.string()),
    progress: z.number().int(),
    progressMessage: z.string().nullable(),
    attempt: z.number().int().openapi({ description: 'the current (or last) attempt, 1-based; 0 before the first' }),
    agentId: z.string().nullable().openapi({ description: 'the agent or worker holding (or last holding) the task' }),
    assignedAgentId: z.string().nullable(),
    leaseEpoch: z.number().int(),
    result: z.unknown(),
    lastError: z.string().nullable(),
    cancelReason: z.string().nullable(),
    awaitingRequestId: z.string().nullable(),
    purged: z.boolean(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    queuedAt: time,
    startedAt: time,
    completedAt: time,
    finishedAt: time,
    deadLetteredAt: time,
    retryAt: time,
  })
  .openapi('Task')

export const TaskList = z.object({ items: z.array(TaskView), next: z.string().optional() }).openapi('TaskList')

export const CommandAccepted = z
  .object({
    id: z.string(),
    version: z.number().int().openapi({ description: 'aggregate version after the command; pass it as ?minVersion= to read your write' }),
    events: z.array(z.object({ type: z.string(), version: z.number().int(), eventId: z.string() })),
  })
  .openapi('CommandAccepted')

export const TaskIdParam = z.object({ id })

export const MinVersionQuery = z.object({
  minVersion: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({ description: 'wait (briefly) until the read model has reached this version' }),
})
