import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('pool', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('priority_rank', 'smallint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('timeout_ms', 'bigint', (c) => c.notNull())
    .addColumn('project_id', 'text')
    .addColumn('workflow_id', 'text')
    .addColumn('depends_on', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('progress_message', 'text')
    .addColumn('cancel_reason', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
  // Listing is newest first with a (created_at, id) cursor; filters narrow it.
  await db.schema.createIndex('tasks_created').on('tasks').columns(['created_at desc', 'id desc']).execute()
  await db.schema.createIndex('tasks_status_created').on('tasks').columns(['status', 'created_at desc']).execute()
  await db.schema.createIndex('tasks_pool_status').on('tasks').columns(['pool', 'status', 'priority_rank']).execute()
  await db.schema
    .createIndex('tasks_project')
    .on('tasks')
    .columns(['project_id', 'created_at desc'])
    .where(sql.ref('project_id'), 'is not', null)
    .execute()
  await db.schema.createIndex('tasks_payload').on('tasks').using('gin').expression(sql`payload jsonb_path_ops`).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tasks').execute()
}
