import { z } from '@hono/zod-openapi'

const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, _ and -')

export const StatsWindowQuery = z.object({
  window: z.string().default('15m').openapi({ description: 'whole minutes ending now: 1m … 7d, as 15m, 2h or 1d', example: '15m' }),
})

export const PoolParam = z.object({ pool: name.openapi({ param: { name: 'pool', in: 'path' }, example: 'default' }) })

const Latency = z
  .object({
    count: z.number().int(),
    avg: z.number().nullable(),
    p50: z.number().nullable(),
    p95: z.number().nullable(),
  })
  .openapi('LatencyMs', { description: 'milliseconds; percentiles from log-spaced buckets (±9 %)' })

export const QueueStatsView = z
  .object({
    depth: z.number().int().openapi({ description: 'queued now' }),
    inFlight: z.number().int().openapi({ description: 'claimed or running now' }),
    awaitingInput: z.number().int(),
    retryScheduled: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int().openapi({ description: 'failed attempts, lease expiries included' }),
    leaseExpired: z.number().int(),
    deadLettered: z.number().int(),
    cancelled: z.number().int(),
    window: z.object({
      completed: z.number().int(),
      failedAttempts: z.number().int(),
      finishedAttempts: z.number().int(),
      failureRate: z.number().nullable(),
      throughputPerMinute: z.number(),
      waitMs: Latency.openapi({ description: 'queued → started, per queueing' }),
      execMs: Latency.openapi({ description: 'started → completed or failed' }),
    }),
  })
  .openapi('QueueStats')

const WindowInfo = { window: z.string(), windowStart: z.string(), generatedAt: z.string() }

export const QueueStatsOverview = z
  .object({
    ...WindowInfo,
    totals: QueueStatsView,
    pools: z.array(z.object({ pool: z.string(), stats: QueueStatsView })),
  })
  .openapi('QueueStatsOverview')

export const PoolQueueStats = z
  .object({
    ...WindowInfo,
    pool: z.string(),
    totals: QueueStatsView,
    priorities: z.array(z.object({ priority: z.string(), stats: QueueStatsView })),
  })
  .openapi('PoolQueueStats')
