import { sql, type Kysely } from 'kysely'

/**
 * The Kafka cluster and topic incarnation each projector group's checkpoints were taken on: a
 * group refuses to run against another one (its read models would silently skip new events).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('projector_log_identity')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('cluster_id', 'text', (c) => c.notNull())
    .addColumn('topic_id', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('projector_log_identity_pk', ['consumer', 'topic'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('projector_log_identity').execute()
}
