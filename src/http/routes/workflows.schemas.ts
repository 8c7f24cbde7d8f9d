import { z } from '@hono/zod-openapi'
import { TaskPriority } from '../../events/generated/event-types.ts'

const id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
// A step id is the last segment of its task id `<workflowId>.<stepId>`: no dots.
const stepId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
const pool = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, _ and -')

export const WorkflowStepBody = z
  .object({
    stepId,
    title: z.string().trim().min(1).max(500),
    pool,
    priority: z.enum(TaskPriority).default('NORMAL'),
    payload: z.json().default({}).openapi({ type: 'object' }),
    dependsOn: z.array(stepId).max(100).default([]),
    maxAttempts: z.number().int().min(1).max(100).default(3),
    timeoutMs: z.number().int().min(100).max(86_400_000).default(300_000),
    optional: z.boolean().default(false).openapi({ description: 'when the step fails it is skipped and its dependents run anyway' }),
  })
  .strict()
  .openapi('WorkflowStep')

export const CreateWorkflowBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(10_000).nullish(),
    projectId: id.nullish(),
    steps: z.array(WorkflowStepBody).min(1).max(500),
  })
  .strict()
  .openapi('CreateWorkflow')

export const CancelWorkflowBody = z
  .object({ reason: z.string().max(2_000).nullish() })
  .strict()
  .openapi('CancelWorkflow')

export const WorkflowIdParam = z.object({ id })

export const WorkflowStatusEnum = z.enum(['pending', 'running', 'completed', 'failed', 'cancelled'])

export const ListWorkflowsQuery = z.object({
  projectId: id.optional(),
  status: WorkflowStatusEnum.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
})

export const WorkflowStepView = z
  .object({
    stepId: z.string(),
    taskId: z.string(),
    title: z.string(),
    pool: z.string(),
    priority: z.string(),
    dependsOn: z.array(z.string()),
    optional: z.boolean(),
    state: z.string().openapi({
      description: 'completed | failed | skipped | cancelled once settled; otherwise pending | waiting | queued | running from the task',
    }),
    taskStatus: z.string().nullable(),
    taskProgress: z.number().int().nullable(),
    error: z.string().nullable(),
  })
  .openapi('WorkflowStepState')

export const WorkflowView = z
  .object({
    id: z.string(),
    version: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    projectId: z.string().nullable(),
    status: WorkflowStatusEnum,
    progress: z.object({ completed: z.number().int(), skipped: z.number().int(), total: z.number().int(), percent: z.number().int() }),
    failedStep: z.string().nullable(),
    error: z.string().nullable(),
    cancelReason: z.string().nullable(),
    steps: z.array(WorkflowStepView),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('Workflow')

export const WorkflowList = z.object({ items: z.array(WorkflowView.omit({ steps: true })) }).openapi('WorkflowList')
