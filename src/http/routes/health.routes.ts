import { probeAll, type Probes } from '../../infra/probes.ts'
import type { AnyHono } from '../any-hono.ts'

/** `/health`: the process is alive. `/health/ready`: every dependency answers, with latencies. */
export function registerHealthRoutes(app: AnyHono, deps: { probes: Probes; startedAt: number }): void {
  app.get('/health', (c) => c.json({ status: 'ok', uptimeS: Math.round((Date.now() - deps.startedAt) / 1000) }))
  app.get('/health/ready', async (c) => {
    const results = await probeAll(deps.probes)
    const ready = results.every((r) => r.ok)
    return c.json(
      {
        status: ready ? 'ready' : 'degraded',
        dependencies: Object.fromEntries(
          results.map((r) => [r.service, { status: r.ok ? 'up' : 'down', latencyMs: r.latencyMs, ...(r.error ? { error: r.error } : {}) }]),
        ),
      },
      ready ? 200 : 503,
    )
  })
}
