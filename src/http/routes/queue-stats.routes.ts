import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { NotFoundError, ValidationError } from '../../errors.ts'
import { TaskPriority } from '../../events/generated/event-types.ts'
import type { Db } from '../../infra/postgres.ts'
import { readStatsSources } from '../../projections/queue-stats/queue-stats.queries.ts'
import {
  parseWindow,
  summarize,
  summarizeBy,
  windowEndingAt,
  type StatsSource,
  type Window,
} from '../../projections/queue-stats/queue-stats.summary.ts'
import { problemResponses } from '../openapi-responses.ts'
import { PoolParam, PoolQueueStats, QueueStatsOverview, StatsWindowQuery } from './queue-stats.schemas.ts'

export type QueueStatsRouteDeps = Readonly<{ db: Db; clock: () => number }>

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })

const windowFrom = (text: string, now: number): Window => {
  const minutes = parseWindow(text)
  if (minutes === undefined)
    throw new ValidationError(`window: expected whole minutes, hours or days from 1m to 7d (such as 15m), got "${text}"`, {
      issues: [{ field: 'window', message: 'invalid window' }],
    })
  return windowEndingAt(now, minutes)
}

const windowInfo = (text: string, w: Window, now: number) => ({
  window: text,
  windowStart: new Date(w.since).toISOString(),
  generatedAt: new Date(now).toISOString(),
})

/** Queue statistics from the queue-stats projection: gauges now, counters so far, rates over a window. */
export function registerQueueStatsRoutes(app: OpenAPIHono, deps: QueueStatsRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/queue/stats',
      tags: ['queue'],
      summary: 'Queue statistics, overall and per pool',
      request: { query: StatsWindowQuery },
      responses: { 200: { description: 'Totals and one entry per pool', ...json(QueueStatsOverview) }, ...problemResponses },
    }),
    async (c) => {
      const { window: text } = c.req.valid('query')
      const now = deps.clock()
      const w = windowFrom(text, now)
      const sources = await readStatsSources(deps.db, w)
      const pools = summarizeBy(sources, w, (s) => s.pool).map((g) => ({ pool: g.key, stats: g.stats }))
      return c.json({ ...windowInfo(text, w, now), totals: summarize(sources, w), pools }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/queue/stats/{pool}',
      tags: ['queue'],
      summary: 'Queue statistics of one pool, per priority',
      request: { params: PoolParam, query: StatsWindowQuery },
      responses: { 200: { description: 'Totals and one row per priority (CRITICAL first)', ...json(PoolQueueStats) }, ...problemResponses },
    }),
    async (c) => {
      const { pool } = c.req.valid('param')
      const { window: text } = c.req.valid('query')
      const now = deps.clock()
      const w = windowFrom(text, now)
      const sources = await readStatsSources(deps.db, w, pool)
      if (sources.length === 0) throw new NotFoundError('queue-pool', pool)
      const byPriority = new Map<string, StatsSource[]>(sources.map((s) => [s.priority, [s]]))
      const priorities = TaskPriority.map((priority) => ({ priority, stats: summarize(byPriority.get(priority) ?? [], w) }))
      return c.json({ ...windowInfo(text, w, now), pool, totals: summarize(sources, w), priorities }, 200)
    },
  )
}
