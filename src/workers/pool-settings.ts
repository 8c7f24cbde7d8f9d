import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { ValidationError } from '../errors.ts'
import { defaultHandler, poolNumberRules, type PoolNumbers } from '../commands/pool/pool-limits.ts'
import { validPoolName } from '../dispatch/dispatch-topics.ts'

const number = (rule: (typeof poolNumberRules)[keyof PoolNumbers]) =>
  z.coerce.number().int().min(rule.min).max(rule.max).default(rule.default)

/** How a pool's worker group runs and scales: the pool's configuration, under the rules the API and the decider apply. */
export const poolSettingsSchema = z
  .object({
    pool: z.string().refine(validPoolName, 'letters, digits, _ and - only'),
    maxAgentsPerProcess: number(poolNumberRules.maxAgentsPerProcess),
    minWorkers: number(poolNumberRules.minWorkers),
    maxWorkers: number(poolNumberRules.maxWorkers),
    lagThreshold: number(poolNumberRules.lagThreshold),
    scaleIntervalMs: number(poolNumberRules.scaleIntervalMs),
    scaleDownStabilizationMs: number(poolNumberRules.scaleDownStabilizationMs),
    handler: z.string().min(1).default(defaultHandler),
    handlerConfig: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((s) => s.minWorkers <= s.maxWorkers, { message: 'minWorkers must not exceed maxWorkers', path: ['minWorkers'] })

export type PoolSettings = z.infer<typeof poolSettingsSchema>

export const parsePoolSettings = (raw: unknown): PoolSettings => {
  const r = poolSettingsSchema.safeParse(raw)
  if (!r.success)
    throw new ValidationError(`invalid pool settings: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  return r.data
}

/** Pools of a settings file `{ "pools": { "<name>": { ... } } }`. */
export function readPoolsFile(path: string): PoolSettings[] {
  const file = JSON.parse(readFileSync(path, 'utf8')) as { pools?: Record<string, Record<string, unknown>> }
  return Object.entries(file.pools ?? {}).map(([pool, s]) => parsePoolSettings({ ...s, pool }))
}

/** Settings of one pool: the pools read model (if known), then the file's entry, then CLI flags. */
export function resolvePoolSettings(
  pool: string,
  flags: Readonly<Record<string, unknown>>,
  file: readonly PoolSettings[],
  stored: Partial<PoolSettings> = {},
): PoolSettings {
  const base = { ...stored, ...(file.find((p) => p.pool === pool) ?? {}) }
  const handlerConfig = typeof flags.handlerConfig === 'string' ? (JSON.parse(flags.handlerConfig) as unknown) : undefined
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined))
  return parsePoolSettings({ ...base, ...defined, ...(handlerConfig ? { handlerConfig } : {}), pool })
}
