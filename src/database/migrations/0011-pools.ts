import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pools')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('handler', 'text', (c) => c.notNull())
    .addColumn('handler_config', 'jsonb', (c) => c.notNull())
    .addColumn('max_agents_per_process', 'integer', (c) => c.notNull())
    .addColumn('min_workers', 'integer', (c) => c.notNull())
    .addColumn('max_workers', 'integer', (c) => c.notNull())
    .addColumn('lag_threshold', 'integer', (c) => c.notNull())
    .addColumn('scale_interval_ms', 'bigint', (c) => c.notNull())
    .addColumn('scale_down_stabilization_ms', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('workers', 'integer', (c) => c.notNull())
    .addColumn('last_scaling', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
  // The drain loop looks for draining pools.
  await db.schema.createIndex('pools_status').on('pools').column('status').execute()
  await db.schema.createIndex('pools_role').on('pools').column('role').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('pools').execute()
}
