import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/**
 * The metrics of one API process, in a registry of its own (created on demand, never at
 * import time), so several apps in one process — tests — do not share counters.
 */
export function createApiMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'agentfleet_process_' })
  return {
    registry,
    commands: new Counter({
      name: 'agentfleet_commands_total',
      help: 'Commands handled, by aggregate, command type and outcome (ok, noop, rejected, failed)',
      labelNames: ['aggregate', 'command', 'outcome'] as const,
      registers: [registry],
    }),
    commandSeconds: new Histogram({
      name: 'agentfleet_command_duration_seconds',
      help: 'Command latency from decide to appended (or refused), by aggregate, command type and outcome',
      labelNames: ['aggregate', 'command', 'outcome'] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    httpSeconds: new Histogram({
      name: 'agentfleet_http_request_duration_seconds',
      help: 'HTTP request latency until the response headers, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    streamOverflows: new Counter({
      name: 'agentfleet_stream_overflows_total',
      help: 'Live stream clients told to reconnect because they did not keep up',
      registers: [registry],
    }),
  }
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>
