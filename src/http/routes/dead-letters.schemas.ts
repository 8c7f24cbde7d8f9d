import { z } from '@hono/zod-openapi'
import { TaskPriority } from '../../events/generated/event-types.ts'

const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, _ and -')
const time = z.iso.datetime({ offset: true })

const filters = {
  pool: name.optional(),
  priority: z.enum(TaskPriority).optional(),
  from: time.optional().openapi({ description: 'dead-lettered at or after' }),
  to: time.optional().openapi({ description: 'dead-lettered before' }),
}

export const ListDeadLettersQuery = z.object({
  ...filters,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
})

export const BulkRequeueBody = z
  .object({
    ...filters,
    all: z.boolean().default(false).openapi({ description: 'required to act on every dead letter when no filter is given' }),
  })
  .strict()
  .openapi('BulkRequeue')

export const BulkPurgeBody = BulkRequeueBody.extend({ reason: z.string().max(2_000).nullish() })
  .strict()
  .openapi('BulkPurge')

export const PurgeBody = z
  .object({ reason: z.string().max(2_000).nullish() })
  .strict()
  .openapi('PurgeDeadLetter')

const Failure = z.object({ attempt: z.number().int(), error: z.string(), at: z.string() })

export const DeadLetterView = z
  .object({
    id: z.string(),
    version: z.number().int(),
    title: z.string(),
    pool: z.string(),
    priority: z.enum(TaskPriority),
    payload: z.unknown(),
    maxAttempts: z.number().int(),
    attempts: z.number().int().openapi({ description: 'attempts used by the spent budget' }),
    lastError: z.string().nullable(),
    failures: z.array(Failure).openapi({ description: 'each failed attempt of the spent budget' }),
    createdAt: z.string(),
    deadLetteredAt: z.string(),
  })
  .openapi('DeadLetter')

export const DeadLetterList = z.object({ items: z.array(DeadLetterView), next: z.string().optional() }).openapi('DeadLetterList')

export const BulkOutcome = z
  .object({
    matched: z.number().int(),
    count: z.number().int().openapi({ description: 'dead letters acted on (one event each)' }),
    refused: z.array(z.object({ id: z.string(), code: z.string() })),
  })
  .openapi('BulkOutcome')
