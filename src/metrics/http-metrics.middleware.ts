import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { ApiMetrics } from './api-metrics.ts'

/**
 * Request latency by route pattern (`/api/v1/tasks/:id`, never the raw path, so label values
 * stay few). Requests no route matched are counted under `(unmatched)`.
 */
export function httpMetrics(metrics: ApiMetrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now()
    try {
      await next()
    } finally {
      const pattern = routePath(c, -1)
      const route = c.res.status === 404 && (pattern === '*' || pattern === '/api/*' || pattern === '') ? '(unmatched)' : pattern
      metrics.httpSeconds.observe({ method: c.req.method, route, status: String(c.res.status) }, (performance.now() - started) / 1000)
    }
  }
}
