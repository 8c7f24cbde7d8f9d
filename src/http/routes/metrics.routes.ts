import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { ApiMetrics } from '../../metrics/api-metrics.ts'
import type { LagReport } from '../../metrics/lag-collector.ts'

const PartitionLag = z.object({
  topic: z.string(),
  partition: z.number().int(),
  position: z.number().int(),
  end: z.number().int(),
  lag: z.number().int(),
})
const LagReportSchema = z
  .object({
    collectedAt: z.string(),
    projections: z.array(
      z.object({
        projection: z.string(),
        group: z.string().openapi({ description: 'the projector group running it' }),
        lag: z.number().int().nullable().openapi({ description: 'null when a checkpoint lies past the log end (see problem)' }),
        problem: z.string().nullable().openapi({ description: 'why the read model does not follow the log, and the fix' }),
        partitions: z.array(PartitionLag),
      }),
    ),
    groups: z.array(z.object({ group: z.string(), lag: z.number().int(), partitions: z.array(PartitionLag) })),
  })
  .openapi('LagReport')

/** `/metrics` (Prometheus text format, this process) and the same lag figures as JSON for dashboards. */
export function registerMetricsRoutes(app: OpenAPIHono, deps: { metrics: ApiMetrics; lag: () => Promise<LagReport> }): void {
  app.get('/metrics', async (c) => {
    const body = await deps.metrics.registry.metrics()
    return c.body(body, 200, { 'content-type': deps.metrics.registry.contentType })
  })

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/system/lag',
      tags: ['system'],
      summary: 'Projection lag (checkpoints vs log end) and consumer-group lag',
      responses: {
        200: { description: 'Lag per projection and per consumer group', content: { 'application/json': { schema: LagReportSchema } } },
      },
    }),
    async (c) => c.json((await deps.lag()) as z.infer<typeof LagReportSchema>, 200),
  )
}
