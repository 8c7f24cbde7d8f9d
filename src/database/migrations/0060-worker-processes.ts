import type { Kysely } from 'kysely'

/** Worker processes of the pools' worker groups, as their cluster primaries report them. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('worker_processes')
    .addColumn('worker_id', 'text', (c) => c.primaryKey())
    .addColumn('pool', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('in_flight', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lag', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('worker_processes_pool').on('worker_processes').column('pool').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('worker_processes').execute()
}
