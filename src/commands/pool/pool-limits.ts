import type { PoolConfig } from './pool.state.ts'

/** The numeric settings of a pool: what the autoscaler and the worker processes read. */
export type PoolNumbers = Pick<
  PoolConfig,
  'maxAgentsPerProcess' | 'minWorkers' | 'maxWorkers' | 'lagThreshold' | 'scaleIntervalMs' | 'scaleDownStabilizationMs'
>

/**
 * The one table of pool defaults and bounds. The decider enforces the bounds; the API's schema,
 * the worker groups' settings and the CLI's flags are built from it, so whatever the API accepts a
 * worker group runs, and every entry point starts from the same defaults.
 */
export const poolNumberRules: Readonly<Record<keyof PoolNumbers, Readonly<{ min: number; max: number; default: number; means: string }>>> =
  {
    maxAgentsPerProcess: { min: 1, max: 1_000, default: 10, means: 'tasks one worker process runs at once' },
    minWorkers: { min: 0, max: 1_000, default: 1, means: 'fewest worker processes (0: none while the lanes are empty)' },
    maxWorkers: { min: 0, max: 1_000, default: 4, means: 'most worker processes (0: the pool runs no worker group)' },
    lagThreshold: { min: 1, max: 1_000_000, default: 10, means: 'waiting records per worker process before another is started' },
    scaleIntervalMs: { min: 100, max: 3_600_000, default: 2_000, means: 'how often the lag is polled' },
    scaleDownStabilizationMs: { min: 0, max: 86_400_000, default: 30_000, means: 'quiet time before a worker process is removed' },
  }

export const defaultHandler = 'echo'

export const poolNumberDefaults = Object.fromEntries(
  Object.entries(poolNumberRules).map(([k, r]) => [k, r.default]),
) as unknown as PoolNumbers

/** What is wrong with a pool's numbers, one sentence each; empty when they hold. */
export function poolNumberProblems(c: PoolNumbers): string[] {
  const problems: string[] = []
  for (const [key, rule] of Object.entries(poolNumberRules) as [keyof PoolNumbers, (typeof poolNumberRules)[keyof PoolNumbers]][]) {
    const v = c[key]
    if (!Number.isInteger(v) || v < rule.min || v > rule.max)
      problems.push(`${key} must be a whole number from ${rule.min} to ${rule.max}, not ${v}`)
  }
  if (c.minWorkers > c.maxWorkers) problems.push(`minWorkers (${c.minWorkers}) must not exceed maxWorkers (${c.maxWorkers})`)
  return problems
}
