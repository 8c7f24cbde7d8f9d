import { sql, type Kysely } from 'kysely'

/** Workflows (one row each, with step counters) and their steps (one row per step). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workflows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('project_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('steps_total', 'integer', (c) => c.notNull())
    .addColumn('steps_completed', 'integer', (c) => c.notNull())
    .addColumn('steps_skipped', 'integer', (c) => c.notNull())
    .addColumn('failed_step', 'text')
    .addColumn('error', 'text')
    .addColumn('cancel_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('workflows_project')
    .on('workflows')
    .columns(['project_id', 'status'])
    .where(sql.ref('project_id'), 'is not', null)
    .execute()
  await db.schema
    .createTable('workflow_steps')
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('pool', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('depends_on', sql`text[]`, (c) => c.notNull())
    .addColumn('optional', 'boolean', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('workflow_steps_pk', ['workflow_id', 'step_id'])
    .execute()
  await db.schema.createIndex('workflow_steps_task').on('workflow_steps').column('task_id').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('workflow_steps').execute()
  await db.schema.dropTable('workflows').execute()
}
