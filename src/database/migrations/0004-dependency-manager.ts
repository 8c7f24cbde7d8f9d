import { sql, type Kysely } from 'kysely'

/**
 * The dependency process manager's own state: the last known outcome of every task that others
 * may depend on, and the open dependency edges. Both are versioned by the event that wrote them,
 * so a redelivered older event never overwrites a newer fact.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pm_task_outcomes')
    .addColumn('task_id', 'text', (c) => c.primaryKey())
    /** completed | failed | cancelled | dead_lettered, or null while the task can still run */
    .addColumn('outcome', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('pm_dependency_edges')
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('depends_on_id', 'text', (c) => c.notNull())
    .addColumn('open', 'boolean', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('pm_dependency_edges_pk', ['task_id', 'depends_on_id'])
    .execute()
  await db.schema
    .createIndex('pm_dependency_edges_open')
    .on('pm_dependency_edges')
    .columns(['depends_on_id', 'task_id'])
    .where(sql.ref('open'), '=', true)
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('pm_dependency_edges').execute()
  await db.schema.dropTable('pm_task_outcomes').execute()
}
