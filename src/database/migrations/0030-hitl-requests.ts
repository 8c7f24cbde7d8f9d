import { sql, type Kysely } from 'kysely'

/** HITL requests: listed by status and project (newest first); the expiry loop scans pending deadlines. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('hitl_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text')
    .addColumn('agent_id', 'text')
    .addColumn('project_id', 'text')
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('options', 'jsonb')
    .addColumn('context', 'jsonb', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('response', 'jsonb')
    .addColumn('responded_by', 'text')
    .addColumn('responded_at', 'timestamptz')
    .addColumn('cancel_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('hitl_requests_status_created')
    .on('hitl_requests')
    .columns(['status', 'created_at desc', 'id desc'])
    .execute()
  await db.schema
    .createIndex('hitl_requests_project')
    .on('hitl_requests')
    .columns(['project_id', 'status'])
    .where(sql.ref('project_id'), 'is not', null)
    .execute()
  await db.schema
    .createIndex('hitl_requests_task')
    .on('hitl_requests')
    .column('task_id')
    .where(sql.ref('task_id'), 'is not', null)
    .execute()
  await db.schema
    .createIndex('hitl_requests_due')
    .on('hitl_requests')
    .column('expires_at')
    .where(sql<boolean>`status = 'pending' and expires_at is not null`)
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('hitl_requests').execute()
}
