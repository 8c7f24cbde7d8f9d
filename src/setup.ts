import { eventTypesByAggregate } from './events/generated/event-types.ts'
import { registerSchemas } from './eventstore/schema-registration.ts'
import { ensureTopics, eventTopicPlans } from './eventstore/topic-admin.ts'
import { AppError } from './errors.ts'
import type { Services } from './infra/services.ts'
import { migrateToLatest } from './database/migrate.ts'

/** Idempotent preparation before serving: read-model migrations, event topics, schemas. */
export async function prepareEnvironment(services: Services): Promise<void> {
  const { config, db, admin, schemas } = services
  const { error } = await migrateToLatest(db, config.postgres.schema)
  if (error) throw new AppError('migrate.failed', `migration failed: ${(error as Error).message}`)
  await ensureTopics(admin, eventTopicPlans(config.kafka.topicPrefix, Object.keys(eventTypesByAggregate), config.kafka.partitions))
  await registerSchemas(config.registryUrl, schemas, config.kafka.topicPrefix)
  await services.codec.resolveIds()
}
