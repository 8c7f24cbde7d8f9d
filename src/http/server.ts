import { serve, type ServerType } from '@hono/node-server'
import { createWriteSide } from '../commands/write-side.ts'
import type { Services } from '../infra/services.ts'
import { createApiMetrics } from '../metrics/api-metrics.ts'
import { instrumentCommandHandler } from '../metrics/instrumented-command-handler.ts'
import { collectLag } from '../metrics/lag-collector.ts'
import { collectReadModelFigures } from '../metrics/read-model-gauges.ts'
import { cached, registerSystemGauges } from '../metrics/system-gauges.ts'
import { configuredPlacements } from '../projections/projector.ts'
import { listenForProjections } from '../projections/read-your-writes.ts'
import { startStreamHub } from '../stream/stream-hub.ts'
import { createApp } from './app.ts'
import { createIdempotencyStore } from './idempotency.ts'

/** The api process role: command and query endpoints over one write side, the live stream, metrics. */
export async function startApi(services: Services): Promise<{ port: number; stop: () => Promise<void> }> {
  const { config, logger } = services
  const writeSide = await createWriteSide(services)
  const metrics = createApiMetrics()
  const stream = await startStreamHub({
    kafka: services.kafka,
    admin: services.admin,
    codec: services.codec,
    db: services.db,
    config,
    logger,
    onOverflow: () => metrics.streamOverflows.inc(),
  })
  const lag = cached(
    () =>
      collectLag(
        { admin: services.admin, db: services.db, topicPrefix: config.kafka.topicPrefix, projections: configuredPlacements(config) },
        new Date(),
      ),
    config.metrics.cacheMs,
  )
  const figures = cached(() => collectReadModelFigures(services.db), config.metrics.cacheMs)
  const projectionChanges = listenForProjections(config, logger)
  registerSystemGauges(metrics, { lag, figures, stream, logger })
  const app = createApp({
    config,
    logger,
    db: services.db,
    redis: services.redis,
    kafka: services.kafka,
    admin: services.admin,
    codec: services.codec,
    execute: instrumentCommandHandler(writeSide.execute, metrics),
    probes: services.probes,
    idempotency: createIdempotencyStore({
      redis: services.redis,
      prefix: config.redis.prefix,
      ttlS: config.append.idempotencyTtlS,
      clock: Date.now,
    }),
    stream,
    metrics: { api: metrics, lag },
    projectionChanges,
    appends: writeSide.appends,
  })
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.http.host, port: config.http.port }, () => resolve(s))
    s.once('error', reject)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.http.port
  logger.info({ url: `http://${config.http.host}:${port}` }, 'api listening')
  return {
    port,
    stop: async () => {
      // Open streams never end by themselves: drop them so close() can finish.
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
      })
      await stream.stop()
      await projectionChanges.close()
      await writeSide.close()
    },
  }
}
