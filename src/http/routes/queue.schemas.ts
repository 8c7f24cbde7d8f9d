import { z } from '@hono/zod-openapi'
import { TaskPriority } from '../../events/generated/event-types.ts'

const id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, _ and -')
const leaseMs = z.number().int().min(100).max(3_600_000)
const epoch = z.number().int().min(1).openapi({ description: 'the leaseEpoch the claim returned' })

export const ClaimBody = z
  .object({
    agentId: id,
    pool: name,
    leaseMs: leaseMs.optional().openapi({ description: 'run lease; default AGENTFLEET_QUEUE_LEASE_MS (30 s)' }),
    wait: z.number().int().min(0).optional().openapi({ description: 'long-poll: seconds to wait for a task when the queue is empty' }),
  })
  .strict()
  .openapi('ClaimTask')

export const ClaimedTask = z
  .object({
    id: z.string(),
    title: z.string(),
    pool: z.string(),
    priority: z.enum(TaskPriority),
    payload: z.unknown(),
    attempt: z.number().int(),
    leaseEpoch: z.number().int(),
    leaseExpiresAt: z.string().openapi({ description: 'ISO time; heartbeat before it' }),
    timeoutMs: z.number().int(),
    inputs: z
      .array(z.object({ requestId: z.string(), response: z.unknown() }))
      .openapi({ description: 'answers to input requests so far' }),
    version: z.number().int(),
  })
  .openapi('ClaimedTask')

export const LeaseBody = z.object({ agentId: id, leaseEpoch: epoch }).strict().openapi('LeaseHolder')

export const HeartbeatBody = z.object({ agentId: id, leaseEpoch: epoch, leaseMs: leaseMs.optional() }).strict().openapi('Heartbeat')

export const HeartbeatAccepted = z
  .object({ id: z.string(), leaseEpoch: z.number().int(), leaseExpiresAt: z.string() })
  .openapi('HeartbeatAccepted')

export const AgentProgressBody = z
  .object({
    agentId: id,
    leaseEpoch: epoch,
    percent: z.number().int().min(0).max(100),
    message: z.string().max(2_000).nullish(),
  })
  .strict()
  .openapi('AgentProgress')

export const CompleteBody = z
  .object({ agentId: id, leaseEpoch: epoch, result: z.unknown().optional().openapi({ description: 'any JSON value (default null)' }) })
  .strict()
  .openapi('CompleteTask')

export const FailBody = z
  .object({
    agentId: id,
    leaseEpoch: epoch,
    error: z.string().min(1).max(10_000),
    retryable: z.boolean().default(true),
  })
  .strict()
  .openapi('FailTask')

export const QueueTaskParam = z.object({ id })
