import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { ValidationError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import { readMetricsHistory } from '../../projections/system/metrics-snapshots.ts'
import { readSystemStatus } from '../../projections/system/system-status.queries.ts'
import { problemResponses } from '../openapi-responses.ts'
import { MetricsHistory, MetricsHistoryQuery, SystemStatusView } from './system.schemas.ts'

export type SystemRouteDeps = Readonly<{ db: Db; placements: readonly { name: string; group: string }[]; clock: () => number }>

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })

/** Operator views: counts across read models, conflicts, checkpoints, and the snapshot history. */
export function registerSystemRoutes(app: OpenAPIHono, deps: SystemRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/system/status',
      tags: ['system'],
      summary: 'Counts by status, event conflicts, projection checkpoints',
      responses: { 200: { description: 'The system summary', ...json(SystemStatusView) }, ...problemResponses },
    }),
    async (c) => {
      const status = await readSystemStatus(deps.db, deps.placements)
      return c.json({ generatedAt: new Date(deps.clock()).toISOString(), ...status }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/system/metrics/history',
      tags: ['system'],
      summary: 'Metrics snapshots taken on a schedule',
      request: { query: MetricsHistoryQuery },
      responses: { 200: { description: 'Snapshots, oldest first', ...json(MetricsHistory) }, ...problemResponses },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const from = q.from === undefined ? undefined : new Date(q.from)
      const to = q.to === undefined ? undefined : new Date(q.to)
      if (from && to && from > to)
        throw new ValidationError('from must not be later than to', { issues: [{ field: 'from', message: 'later than to' }] })
      return c.json({ items: await readMetricsHistory(deps.db, { from, to, limit: q.limit }) }, 200)
    },
  )
}
