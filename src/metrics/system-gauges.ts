import { Gauge } from 'prom-client'
import type { Logger } from '../infra/logger.ts'
import type { ApiMetrics } from './api-metrics.ts'
import type { LagReport } from './lag-collector.ts'
import type { LabelledCount, ReadModelFigures } from './read-model-gauges.ts'

/**
 * Reuses one result for `ttlMs` and shares one in-flight collection between concurrent callers,
 * so a storm of scrapes costs Kafka and Postgres one collection per interval.
 */
export function cached<T>(load: () => Promise<T>, ttlMs: number, clock: () => number = Date.now): () => Promise<T> {
  let value: { at: number; result: Promise<T> } | undefined
  return () => {
    const now = clock()
    if (!value || now - value.at >= ttlMs) {
      const result = load()
      value = { at: now, result }
      // A failed collection is not reused.
      result.catch(() => {
        if (value?.result === result) value = undefined
      })
    }
    return value.result
  }
}

export type SystemSources = Readonly<{
  lag: () => Promise<LagReport>
  figures: () => Promise<ReadModelFigures>
  stream?: Readonly<{ clients: () => number; catchUps: () => number }>
  logger: Logger
}>

/** Gauges computed on scrape from the (cached) sources; a source that fails leaves its gauges empty. */
export function registerSystemGauges(metrics: ApiMetrics, sources: SystemSources): void {
  const registers = [metrics.registry]
  const attempt = async <T>(what: string, load: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await load()
    } catch (error) {
      sources.logger.warn({ err: error, what }, 'metrics collection failed')
      return undefined
    }
  }
  const fill = (g: Gauge<string>, counts: readonly LabelledCount[] | undefined) => {
    g.reset()
    for (const c of counts ?? []) g.set(c.labels, c.value)
  }

  new Gauge({
    name: 'agentfleet_projection_lag_events',
    help: "Events in the log not yet applied by the projection (its projector group's Postgres checkpoints vs end offsets)",
    labelNames: ['projection', 'group'],
    registers,
    async collect() {
      const report = await attempt('lag', sources.lag)
      fill(
        this,
        report?.projections.flatMap((p) =>
          p.lag === null ? [] : [{ labels: { projection: p.projection, group: p.group }, value: p.lag }],
        ),
      )
    },
  })
  new Gauge({
    name: 'agentfleet_projection_misaligned',
    help: 'A projection whose checkpoint lies past the log end (1): its read model was built from another log',
    labelNames: ['projection', 'group'],
    registers,
    async collect() {
      const report = await attempt('lag', sources.lag)
      fill(
        this,
        report?.projections.map((p) => ({ labels: { projection: p.projection, group: p.group }, value: p.problem ? 1 : 0 })),
      )
    },
  })
  new Gauge({
    name: 'agentfleet_consumer_group_lag',
    help: 'Messages behind the end offsets, from the offsets each consumer group committed',
    labelNames: ['group'],
    registers,
    async collect() {
      const report = await attempt('lag', sources.lag)
      fill(
        this,
        report?.groups.map((g) => ({ labels: { group: g.group }, value: g.lag })),
      )
    },
  })
  /** A gauge filled from one of the read-model figures (all of them are read in one pass per scrape). */
  const figureGauge = (
    name: string,
    help: string,
    labelNames: readonly string[],
    pick: (f: ReadModelFigures) => readonly LabelledCount[],
  ) =>
    new Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers,
      async collect() {
        const figures = await attempt('read models', sources.figures)
        fill(this, figures && pick(figures))
      },
    })
  figureGauge(
    'agentfleet_event_conflicts',
    'Events skipped as version conflicts (event_conflicts rows), by projector group',
    ['group'],
    (f) => f.conflicts,
  )
  figureGauge('agentfleet_dlq_tasks', 'Dead-lettered tasks not purged (tasks read model), by pool', ['pool'], (f) => f.deadLettered)
  figureGauge('agentfleet_queue_depth', 'Queued tasks (tasks read model), by pool and priority', ['pool', 'priority'], (f) => f.queued)
  figureGauge(
    'agentfleet_tasks',
    'Tasks not finished, and dead letters not purged (tasks read model), by pool, priority and status',
    ['pool', 'priority', 'status'],
    (f) => f.open,
  )
  figureGauge(
    'agentfleet_agents',
    'Agents not terminated or deregistered (agents read model), by pool, status and health',
    ['pool', 'status', 'healthy'],
    (f) => f.agents,
  )
  figureGauge(
    'agentfleet_agents_healthy',
    'Agents that heartbeat and can take work (idle or busy), by pool',
    ['pool'],
    (f) => f.healthyAgents,
  )
  figureGauge(
    'agentfleet_pool_workers',
    'Live worker processes by pool and status (each heartbeats its own row)',
    ['pool', 'status'],
    (f) => f.workers,
  )
  const stream = sources.stream
  if (stream) {
    new Gauge({
      name: 'agentfleet_stream_clients',
      help: 'Live stream clients of this process',
      registers,
      collect() {
        this.set(stream.clients())
      },
    })
    new Gauge({
      name: 'agentfleet_stream_catchups',
      help: 'Stream clients of this process reading history',
      registers,
      collect() {
        this.set(stream.catchUps())
      },
    })
  }
}
