import { sql, type Kysely } from 'kysely'

/**
 * Failure history of tasks, beside the tasks table: the attempts of the current retry budget and,
 * once the budget is spent, when the task was dead-lettered and whether it was purged since.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('task_failures')
    .addColumn('task_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('failures', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'`))
    .addColumn('last_error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dead_lettered_at', 'timestamptz')
    .addColumn('purged_at', 'timestamptz')
    .execute()
  await db.schema
    .createIndex('task_failures_dead')
    .on('task_failures')
    .columns(['dead_lettered_at desc', 'task_id desc'])
    .where(sql.ref('dead_lettered_at'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('task_failures').execute()
}
