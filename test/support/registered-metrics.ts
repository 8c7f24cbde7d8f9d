import { Histogram, type Metric } from 'prom-client'
import type { Logger } from '../../src/infra/logger.ts'
import { createApiMetrics } from '../../src/metrics/api-metrics.ts'
import { registerSystemGauges } from '../../src/metrics/system-gauges.ts'

export type RegisteredMetrics = ReadonlyMap<string, { labels: readonly string[] }>

/**
 * Every series name the code registers, as an API process wires them (all sources stubbed: nothing is
 * collected, nothing is connected), with the labels each has. A histogram is listed as its `_bucket`
 * (with `le`), `_count` and `_sum` series too.
 */
export function registeredMetrics(): RegisteredMetrics {
  const metrics = createApiMetrics()
  const empty = async () => ({ collectedAt: '', projections: [], groups: [] })
  registerSystemGauges(metrics, {
    lag: empty,
    figures: async () => ({ conflicts: [], deadLettered: [], workers: [], queued: [], open: [], agents: [], healthyAgents: [] }),
    stream: { clients: () => 0, catchUps: () => 0 },
    logger: { warn: () => undefined } as unknown as Logger,
  })
  const out = new Map<string, { labels: readonly string[] }>()
  // getMetricsAsArray returns the metric instances: their name and labelNames are what they expose.
  for (const m of metrics.registry.getMetricsAsArray() as unknown as (Metric & { name: string; labelNames?: string[] })[]) {
    const name = m.name
    const labels = m.labelNames ?? []
    out.set(name, { labels })
    // A histogram is exposed as _bucket (with `le`), _count and _sum series.
    if (m instanceof Histogram) {
      out.set(`${name}_bucket`, { labels: [...labels, 'le'] })
      out.set(`${name}_count`, { labels })
      out.set(`${name}_sum`, { labels })
    }
  }
  return out
}

/** The distinct `agentfleet_*` series names a PromQL expression mentions. */
export const metricsIn = (expr: string): string[] => [...new Set(expr.match(/\bagentfleet_[a-z0-9_]+\b/g) ?? [])]
