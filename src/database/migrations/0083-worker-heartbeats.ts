import { sql, type Kysely } from 'kysely'

/**
 * Each worker process heartbeats its own row with an expiry: a row whose expiry has passed is a
 * process that stopped reporting (killed, hung, its host gone) and is no longer listed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('worker_processes')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('worker_processes_expires_at').on('worker_processes').column('expires_at').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('worker_processes_expires_at').execute()
  await db.schema.alterTable('worker_processes').dropColumn('expires_at').execute()
}
