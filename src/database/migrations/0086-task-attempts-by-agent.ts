import { sql, type Kysely } from 'kysely'

/** An agent's runs, for its metrics (GET /agents/:id/metrics). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('task_attempts_agent')
    .on('task_attempts')
    .column('agent_id')
    .where(sql.ref('agent_id'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('task_attempts_agent').execute()
}
