import type { Services } from '../infra/services.ts'
import { dropSchema } from '../database/ddl-lock.ts'

/**
 * Removes everything one AgentFleet namespace owns: the topics under its prefix, its Postgres
 * schema and its Redis keys. Tests and benchmarks each run in a namespace of their own.
 */
export async function dropNamespace(services: Services): Promise<void> {
  const { admin, config, db, redis } = services
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${config.kafka.topicPrefix}.`))
  if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined)
  await dropSchema(db, config.postgres.schema)
  // SCAN in pages (KEYS blocks Redis), UNLINK in chunks (a spread of 100,000 keys overflows the stack).
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redis.prefix}*`, 'COUNT', 1_000)
    cursor = next
    if (keys.length > 0) await redis.unlink(...keys)
  } while (cursor !== '0')
}
