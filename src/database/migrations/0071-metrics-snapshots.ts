import type { Kysely } from 'kysely'

/** Periodic system snapshots; taken_at is the start of the interval, so writers never duplicate a slot. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('metrics_snapshots')
    .addColumn('taken_at', 'timestamptz', (c) => c.primaryKey())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('metrics_snapshots').execute()
}
