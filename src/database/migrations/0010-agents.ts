import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('pool', 'text')
    .addColumn('project_id', 'text')
    .addColumn('capabilities', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('metadata', 'jsonb', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('healthy', 'boolean', (c) => c.notNull())
    .addColumn('last_heartbeat_at', 'timestamptz')
    .addColumn('worker_id', 'text')
    .addColumn('process_id', 'text')
    .addColumn('graceful', 'boolean')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
  // Keyset pagination on (sort key, id) for each sort order; filters narrow it.
  await db.schema.createIndex('agents_created').on('agents').columns(['created_at', 'id']).execute()
  await db.schema.createIndex('agents_name').on('agents').columns(['name', 'id']).execute()
  await db.schema
    .createIndex('agents_heartbeat')
    .on('agents')
    .expression(sql`coalesce(last_heartbeat_at, '-infinity'::timestamptz), id`)
    .execute()
  await db.schema.createIndex('agents_status').on('agents').columns(['status', 'created_at']).execute()
  await db.schema
    .createIndex('agents_pool_status')
    .on('agents')
    .columns(['pool', 'status'])
    .where(sql.ref('pool'), 'is not', null)
    .execute()
  await db.schema.createIndex('agents_role').on('agents').columns(['role', 'created_at']).execute()
  await db.schema
    .createIndex('agents_project')
    .on('agents')
    .columns(['project_id', 'created_at'])
    .where(sql.ref('project_id'), 'is not', null)
    .execute()
  await db.schema.createIndex('agents_healthy').on('agents').columns(['healthy', 'status']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('agents').execute()
}
