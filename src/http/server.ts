import { serve, type ServerType } from '@hono/node-server'
import { createWriteSide } from '../commands/write-side.ts'
import type { Services } from '../infra/services.ts'
import { createApp } from './app.ts'
import { createIdempotencyStore } from './idempotency.ts'

/** The api process role: command and query endpoints over one write side. */
export async function startApi(services: Services): Promise<{ port: number; stop: () => Promise<void> }> {
  const { config, logger } = services
  const writeSide = await createWriteSide(services)
  const app = createApp({
    config, logger, db: services.db, redis: services.redis, kafka: services.kafka, admin: services.admin, codec: services.codec, execute: writeSide.execute, probes: services.probes,
    idempotency: createIdempotencyStore({ redis: services.redis, prefix: config.redis.prefix, ttlS: config.append.idempotencyTtlS, clock: Date.now }),
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
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await writeSide.close()
    },
  }
}
