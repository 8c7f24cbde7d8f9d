import type { Command } from 'commander'
import { eventTypesByAggregate } from '../events/generated/event-types.ts'
import { loadSchemaSet } from '../events/schema-files.ts'
import { checkSchemas, registerSchemas } from '../eventstore/schema-registration.ts'
import { ensureTopics, eventTopicPlans } from '../eventstore/topic-admin.ts'
import { migrateToLatest } from '../database/migrate.ts'
import { AppError } from '../errors.ts'
import { withServices } from './context.ts'

const print = (line: string) => process.stdout.write(`${line}\n`)

export function registerOpsCommands(program: Command): void {
  program
    .command('migrate')
    .description('Apply Postgres read-model migrations (kysely)')
    .action(async () => {
      await withServices(
        'migrate',
        async ({ db, config }) => {
          const { results, error } = await migrateToLatest(db, config.postgres.schema)
          for (const r of results ?? []) print(`${r.status === 'Success' ? 'applied' : r.status}: ${r.migrationName}`)
          if (error) throw new AppError('migrate.failed', `migration failed: ${(error as Error).message}`)
          if (!results?.length) print('read models are up to date')
        },
        { resolveSchemas: false },
      )
    })

  const topics = program.command('topics').description('Kafka topic administration')
  topics
    .command('ensure')
    .description('Create missing event topics (retention.ms=-1)')
    .option('-p, --partitions <n>', 'partitions of new topics (default AGENTFLEET_TOPIC_PARTITIONS)')
    .action(async (opts: { partitions?: string }) => {
      await withServices(
        'topics',
        async ({ admin, config }) => {
          const partitions = opts.partitions ? Number(opts.partitions) : config.kafka.partitions
          if (!Number.isInteger(partitions) || partitions < 1)
            throw new AppError('topics.bad-partitions', '--partitions must be a positive integer')
          const result = await ensureTopics(
            admin,
            eventTopicPlans(config.kafka.topicPrefix, Object.keys(eventTypesByAggregate), partitions),
          )
          for (const t of result.created) print(`created ${t} (${partitions} partitions)`)
          for (const t of result.existing) print(`exists  ${t}`)
        },
        { resolveSchemas: false },
      )
    })

  const schemas = program.command('schemas').description('Avro schemas in the schema registry')
  schemas
    .command('register')
    .description('Register every event schema (TopicRecordNameStrategy, BACKWARD)')
    .action(async () => {
      await withServices(
        'schemas',
        async ({ config }) => {
          for (const r of await registerSchemas(config.registryUrl, loadSchemaSet(), config.kafka.topicPrefix))
            print(`registered ${r.subject} (id ${r.id})`)
        },
        { resolveSchemas: false },
      )
    })
  schemas
    .command('check')
    .description('Check local schemas are BACKWARD compatible with the registered ones')
    .action(async () => {
      await withServices(
        'schemas',
        async ({ config }) => {
          const results = await checkSchemas(config.registryUrl, loadSchemaSet(), config.kafka.topicPrefix)
          for (const r of results)
            print(`${r.compatible ? 'ok  ' : 'FAIL'} ${r.subject}${r.messages?.length ? ` — ${r.messages.join('; ')}` : ''}`)
          if (results.some((r) => !r.compatible)) throw new AppError('schemas.incompatible', 'some schemas are not backward compatible')
        },
        { resolveSchemas: false },
      )
    })
}
