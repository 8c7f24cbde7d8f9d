import { z } from '@hono/zod-openapi'

const id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
const options = z
  .array(z.string().min(1).max(500))
  .min(1)
  .max(50)
  .openapi({ description: 'the allowed answers; omit for a free answer', example: ['approve', 'reject'] })
const expiresAt = z.iso
  .datetime({ offset: true })
  .nullish()
  .openapi({ description: 'the request expires (and its task is cancelled) after this instant' })

const question = {
  question: z.string().trim().min(1).max(5_000),
  options: options.nullish(),
  context: z.json().default({}).openapi({ type: 'object', description: 'what the human needs to answer' }),
  expiresAt,
}

export const RaiseHitlBody = z
  .object({
    agentId: id.nullish(),
    projectId: id.nullish(),
    ...question,
  })
  .strict()
  .openapi('RaiseHitlRequest')

export const TaskInputRequestBody = z
  .object({
    agentId: id,
    leaseEpoch: z.number().int().min(1).openapi({ description: "the fencing epoch of the caller's lease on the task" }),
    projectId: id.nullish().openapi({ description: "defaults to the task's project" }),
    ...question,
  })
  .strict()
  .openapi('TaskInputRequest')

export const RespondBody = z
  .object({
    // z.unknown() documents "any JSON" without the recursive schema z.json() would generate.
    response: z
      .unknown()
      .refine((v) => v !== undefined, 'response is required')
      .openapi({ description: 'one of the options when the request lists them; any JSON otherwise' }),
    respondedBy: z.string().trim().min(1).max(200),
  })
  .strict()
  .openapi('RespondToHitlRequest')

export const CancelHitlBody = z
  .object({ reason: z.string().max(2_000).nullish() })
  .strict()
  .openapi('CancelHitlRequest')

export const HitlIdParam = z.object({ id })

export const ListHitlQuery = z.object({
  status: z.enum(['pending', 'answered', 'expired', 'cancelled']).optional(),
  projectId: id.optional(),
  taskId: id.optional(),
  agentId: id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
})

export const HitlView = z
  .object({
    id: z.string(),
    version: z.number().int(),
    status: z.enum(['pending', 'answered', 'expired', 'cancelled']),
    taskId: z.string().nullable(),
    agentId: z.string().nullable(),
    projectId: z.string().nullable(),
    question: z.string(),
    options: z.array(z.string()).nullable(),
    context: z.unknown(),
    expiresAt: z.string().nullable(),
    response: z.unknown(),
    respondedBy: z.string().nullable(),
    respondedAt: z.string().nullable(),
    cancelReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('HitlRequest')

export const HitlList = z.object({ items: z.array(HitlView), next: z.string().optional() }).openapi('HitlRequestList')
