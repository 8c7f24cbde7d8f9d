import { z, type OpenAPIHono } from '@hono/zod-openapi'

const Dependency = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number(),
  error: z.string().optional(),
})

const Readiness = z
  .object({
    status: z.enum(['ready', 'degraded']),
    dependencies: z.record(z.string(), Dependency).openapi({ description: 'kafka, registry, postgres, redis' }),
    checks: z
      .record(z.string(), z.object({ status: z.enum(['ok', 'failing', 'unknown']) }).passthrough())
      .openapi({ description: 'eventConflicts (the read side skipped events), appends (this process cannot write to Kafka)' }),
  })
  .openapi('Readiness')

/**
 * The operational routes live outside /api/v1 and are plain Hono handlers (a load balancer and
 * Prometheus call them, and they must answer even when a schema would not); they are described in
 * the OpenAPI document all the same, so it lists every route the API serves.
 */
export function documentOperationalPaths(app: OpenAPIHono, options: { metrics: boolean }): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/health',
    tags: ['operations'],
    summary: 'Liveness: the process is up',
    responses: {
      200: {
        description: 'Alive',
        content: { 'application/json': { schema: z.object({ status: z.literal('ok'), uptimeS: z.number().int() }) } },
      },
    },
  })
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/health/ready',
    tags: ['operations'],
    summary: 'Readiness: every dependency answers and this process can append; degraded while event conflicts exist',
    responses: {
      200: { description: 'Ready (or degraded: serving, with a failing check)', content: { 'application/json': { schema: Readiness } } },
      503: {
        description: 'A dependency is down or appends fail: send traffic elsewhere',
        content: { 'application/json': { schema: Readiness } },
      },
    },
  })
  if (options.metrics)
    app.openAPIRegistry.registerPath({
      method: 'get',
      path: '/metrics',
      tags: ['operations'],
      summary: 'Prometheus metrics of this API process and the read models (text exposition format)',
      responses: { 200: { description: 'The metrics', content: { 'text/plain': { schema: z.string() } } } },
    })
}
