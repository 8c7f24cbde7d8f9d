import { sql, type Kysely } from 'kysely'

/**
 * The full task read model (lifecycle columns, metadata, search indexes), task_dependencies,
 * task_attempts and the generic aggregate_events history.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tasks')
    .addColumn('role', 'text')
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('agent_id', 'text')
    .addColumn('assigned_agent_id', 'text')
    .addColumn('lease_epoch', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('result', 'jsonb')
    .addColumn('last_error', 'text')
    .addColumn('queued_at', 'timestamptz')
    .addColumn('started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('dead_lettered_at', 'timestamptz')
    .addColumn('retry_at', 'timestamptz')
    .addColumn('purged', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('open_dependencies', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('awaiting_request_id', 'text')
    .execute()
  await db.schema.createIndex('tasks_metadata').on('tasks').using('gin').expression(sql`metadata jsonb_path_ops`).execute()
  // Each sort has an index matching its keyset (cursor) order.
  await db.schema.createIndex('tasks_updated').on('tasks').columns(['updated_at desc', 'id desc']).execute()
  await db.schema.createIndex('tasks_priority').on('tasks').columns(['priority_rank', 'created_at', 'id']).execute()
  await db.schema.createIndex('tasks_agent').on('tasks').column('agent_id').where(sql.ref('agent_id'), 'is not', null).execute()
  await db.schema
    .createIndex('tasks_assigned_agent')
    .on('tasks')
    .column('assigned_agent_id')
    .where(sql.ref('assigned_agent_id'), 'is not', null)
    .execute()
  await db.schema
    .createIndex('tasks_workflow')
    .on('tasks')
    .columns(['workflow_id', 'created_at desc'])
    .where(sql.ref('workflow_id'), 'is not', null)
    .execute()
  await titleTrigramIndex(db)

  await db.schema
    .createTable('task_dependencies')
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('depends_on_id', 'text', (c) => c.notNull())
    .addColumn('resolved', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('task_dependencies_pk', ['task_id', 'depends_on_id'])
    .execute()
  // The cycle check and "who waits for X" walk the graph backwards.
  await db.schema.createIndex('task_dependencies_reverse').on('task_dependencies').columns(['depends_on_id', 'task_id']).execute()

  await db.schema
    .createTable('task_attempts')
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('queued_version', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('started_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('outcome', 'text')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'bigint')
    .addPrimaryKeyConstraint('task_attempts_pk', ['task_id', 'queued_version'])
    .execute()

  await db.schema
    .createTable('aggregate_events')
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('aggregate_type', 'text', (c) => c.notNull())
    .addColumn('aggregate_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('meta', 'jsonb', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('partition', 'integer', (c) => c.notNull())
    .addColumn('offset', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('aggregate_events_pk', ['stream', 'version'])
    .execute()
  await db.schema.createIndex('aggregate_events_type').on('aggregate_events').columns(['aggregate_type', 'occurred_at']).execute()
}

/**
 * `?q=` is a substring search (ILIKE '%…%'): only a trigram index serves it. pg_trgm is a
 * database-wide extension; it goes to `public` (never to a read-model schema, whose drop would
 * cascade into every other schema's index), under an advisory lock so concurrent migrations of
 * several schemas do not race on CREATE EXTENSION.
 */
async function titleTrigramIndex(db: Kysely<unknown>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('agentfleet:pg_trgm'))`.execute(db)
  await sql`create extension if not exists pg_trgm with schema public`.execute(db)
  const { rows } = await sql<{
    schema: string
  }>`select extnamespace::regnamespace::text as schema from pg_extension where extname = 'pg_trgm'`.execute(db)
  const schema = rows[0]?.schema ?? 'public'
  await sql`create index tasks_title_trgm on tasks using gin (title ${sql.id(schema)}.gin_trgm_ops)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['aggregate_events', 'task_attempts', 'task_dependencies']) await db.schema.dropTable(t).execute()
  for (const i of [
    'tasks_title_trgm',
    'tasks_workflow',
    'tasks_assigned_agent',
    'tasks_agent',
    'tasks_priority',
    'tasks_updated',
    'tasks_metadata',
  ])
    await db.schema.dropIndex(i).execute()
  await db.schema
    .alterTable('tasks')
    .dropColumn('role')
    .dropColumn('metadata')
    .dropColumn('attempt')
    .dropColumn('agent_id')
    .dropColumn('assigned_agent_id')
    .dropColumn('lease_epoch')
    .dropColumn('result')
    .dropColumn('last_error')
    .dropColumn('queued_at')
    .dropColumn('started_at')
    .dropColumn('completed_at')
    .dropColumn('finished_at')
    .dropColumn('dead_lettered_at')
    .dropColumn('retry_at')
    .dropColumn('purged')
    .dropColumn('open_dependencies')
    .dropColumn('awaiting_request_id')
    .execute()
}
