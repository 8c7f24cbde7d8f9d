import { z } from '@hono/zod-openapi'
import { poolNumberDefaults, poolNumberRules, type PoolNumbers } from '../../commands/pool/pool-limits.ts'
import { PoolMode } from '../../commands/pool/pool.state.ts'
import { poolName } from './agents.schemas.ts'

const label = z.string().trim().min(1).max(200)
const handler = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:/@-]+$/, 'a handler name such as echo, http, command, llm or a module')
/** Bounds and defaults from the pool rules the decider enforces (one table for API, workers and CLI). */
const limits = Object.fromEntries(
  Object.entries(poolNumberRules).map(([k, r]) => [k, z.number().int().min(r.min).max(r.max).openapi({ description: r.means })]),
) as { [K in keyof PoolNumbers]: z.ZodNumber }
const mode = z.enum(PoolMode).openapi({
  description: "workers: the pool's worker group runs its tasks; pull: remote agents claim them with POST /api/v1/queue/claim",
})
const handlerConfig = z.record(z.string(), z.json()).openapi({ type: 'object', example: { url: 'https://example.com/hook' } })

export const CreatePoolBody = z
  .object({
    name: poolName.openapi({ example: 'researchers' }),
    role: label.openapi({ example: 'researcher' }),
    mode: mode.default('workers'),
    handler: handler.optional().openapi({ description: 'role handler; defaults to the role' }),
    handlerConfig: handlerConfig.default({}),
    maxAgentsPerProcess: limits.maxAgentsPerProcess.default(poolNumberDefaults.maxAgentsPerProcess),
    minWorkers: limits.minWorkers.default(poolNumberDefaults.minWorkers),
    maxWorkers: limits.maxWorkers.default(poolNumberDefaults.maxWorkers),
    lagThreshold: limits.lagThreshold.default(poolNumberDefaults.lagThreshold),
    scaleIntervalMs: limits.scaleIntervalMs.default(poolNumberDefaults.scaleIntervalMs),
    scaleDownStabilizationMs: limits.scaleDownStabilizationMs.default(poolNumberDefaults.scaleDownStabilizationMs),
  })
  .strict()
  .openapi('CreatePool')

export const UpdatePoolBody = z
  .object({
    role: label.optional(),
    mode: mode.optional(),
    handler: handler.optional(),
    handlerConfig: handlerConfig.optional(),
    ...(Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, v.optional()])) as {
      [K in keyof typeof limits]: z.ZodOptional<(typeof limits)[K]>
    }),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one setting to change' })
  .openapi('UpdatePool')

export const PoolView = z
  .object({
    name: z.string(),
    version: z.number().int(),
    role: z.string(),
    mode: mode,
    handler: z.string(),
    handlerConfig: z.unknown(),
    maxAgentsPerProcess: z.number().int(),
    minWorkers: z.number().int(),
    maxWorkers: z.number().int(),
    lagThreshold: z.number().int(),
    scaleIntervalMs: z.number().int(),
    scaleDownStabilizationMs: z.number().int(),
    status: z.enum(['active', 'draining']),
    workers: z
      .number()
      .int()
      .openapi({ description: 'worker processes of the pool alive now (each heartbeats; a silent one drops out within seconds)' }),
    desiredWorkers: z
      .number()
      .int()
      .openapi({ description: 'worker count of the last scaling decision (toWorkers of the last PoolScaled)' }),
    lastScaling: z.unknown().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Pool')

export const PoolList = z.object({ items: z.array(PoolView), next: z.string().optional() }).openapi('PoolList')

export const PoolStats = z
  .object({
    pool: z.string(),
    status: z.string(),
    agents: z.object({ total: z.number().int(), byStatus: z.record(z.string(), z.number().int()) }),
    tasks: z.object({ total: z.number().int(), active: z.number().int(), byStatus: z.record(z.string(), z.number().int()) }),
    workers: z.object({
      desired: z.number().int().openapi({ description: 'toWorkers of the last PoolScaled' }),
      running: z.number().int().openapi({ description: 'worker processes of the pool alive now' }),
    }),
    lastScaling: z.unknown().nullable(),
  })
  .openapi('PoolStats')

export const PoolNameParam = z.object({ name: poolName })
export const ListPoolsQuery = z.object({
  role: label.optional(),
  status: z.enum(['active', 'draining']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: poolName.optional().openapi({ description: 'the `next` of the previous page' }),
})
export const DeletePoolQuery = z.object({
  drain: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .openapi({ type: 'string', enum: ['true', 'false'] }),
})
