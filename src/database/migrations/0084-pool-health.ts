import type { Kysely } from 'kysely'

/** Whether a pool's worker group can run its handler (PoolDegraded / PoolRecovered). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pools').addColumn('degraded_reason', 'text').addColumn('degraded_at', 'timestamptz').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pools').dropColumn('degraded_reason').dropColumn('degraded_at').execute()
}
