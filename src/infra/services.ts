import type { Admin, Kafka } from 'kafkajs'
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type { Config } from '../config.ts'
import { AppError, ServiceUnavailableError } from '../errors.ts'
import { finishesWithin } from './finishes-within.ts'
import { retry } from './retry.ts'
import { createEventCodec, type EventCodec } from '../events/avro-codec.ts'
import { loadSchemaSet, type SchemaSet } from '../events/schema-files.ts'
import { createKafka } from './kafka.ts'
import type { Logger } from './logger.ts'
import { createDb, type Db } from './postgres.ts'
import { createProbes, probeAll, type Probes } from './probes.ts'
import { createRedis, type Redis } from './redis.ts'
import { createRegistry } from './registry.ts'
import { serviceHints } from './service-hints.ts'

export type Services = Readonly<{
  config: Config
  logger: Logger
  kafka: Kafka
  admin: Admin
  registry: SchemaRegistry
  db: Db
  redis: Redis
  schemas: SchemaSet
  codec: EventCodec
  probes: Probes
  close: () => Promise<void>
}>

/**
 * Connects to Kafka, the registry, Postgres and Redis. Every unreachable one is named in a
 * single error with how to start it; `needs` limits the check to what a command uses.
 */
export async function connectServices(
  config: Config,
  logger: Logger,
  clientId: string,
  options: { resolveSchemas?: boolean } = {},
): Promise<Services> {
  const kafka = createKafka(config, logger, clientId)
  const admin = kafka.admin()
  const registry = createRegistry(config)
  const db = createDb(config, { logger: logger.child({ part: 'postgres' }) })
  const redis = createRedis(config, logger)
  const schemas = loadSchemaSet()
  const codec = createEventCodec({ registry, schemas, topicPrefix: config.kafka.topicPrefix })
  const probes = createProbes({ admin, registryUrl: config.registryUrl, db, redis, timeoutMs: 5_000 })

  /**
   * Closes every client. Postgres waits for statements in flight: when closing takes longer
   * than 10 s (a lock wait, a dead peer), the parts still closing are named in the log.
   */
  const close = async () => {
    const parts = { kafka: admin.disconnect(), postgres: db.destroy(), redis: redis.quit().catch(() => redis.disconnect()) }
    const pending = new Set(Object.keys(parts))
    for (const [name, done] of Object.entries(parts)) void done.finally(() => pending.delete(name)).catch(() => undefined)
    const closed = await finishesWithin(Promise.allSettled(Object.values(parts)), 10_000)
    if (!closed) logger.warn({ pending: [...pending] }, 'clients still closing after 10 s')
  }
  const adminConnected = admin.connect().catch(() => undefined)
  const redisConnected = redis.connect().catch(() => undefined)
  await Promise.all([adminConnected, redisConnected])
  const down = (await probeAll(probes)).filter((p) => !p.ok)
  if (down.length > 0) {
    await close()
    const first = down[0]!
    const message = down.map((p) => `${p.service} (${p.error}). ${serviceHints[p.service]}`).join('\n  ')
    throw new ServiceUnavailableError(down.length === 1 ? first.service : down.map((d) => d.service).join(', '), `\n  ${message}`)
  }
  if (options.resolveSchemas !== false)
    // A registry that is slow or briefly away is waited for (up to a minute); a schema it does not have fails at once.
    await retry(() => codec.resolveIds(), {
      withinMs: 60_000,
      minMs: 200,
      maxMs: 5_000,
      retryIf: (e) => e instanceof AppError && e.retriable,
    }).catch(async (error) => {
      await close()
      throw error
    })
  return { config, logger, kafka, admin, registry, db, redis, schemas, codec, probes, close }
}
