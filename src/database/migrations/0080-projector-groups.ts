import { sql, type Kysely } from 'kysely'

/** Read models a projector group writes; rebuilt from the log after this migration. */
const readModels = [
  'aggregate_snapshots',
  'tasks',
  'task_dependencies',
  'task_attempts',
  'aggregate_events',
  'agents',
  'pools',
  'queue_stats_tasks',
  'queue_stats_counters',
  'queue_stats_minutes',
  'task_failures',
  'hitl_requests',
  'projects',
  'workflows',
  'workflow_steps',
]

/**
 * Projections run in groups: one consumer group, one checkpoint per partition and one version
 * gate per group instead of per projection. The per-projection bookkeeping goes; the read models
 * are emptied so that each group folds the log again from offset 0 (events are kept forever).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('projector_checkpoints')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('partition', 'integer', (c) => c.notNull())
    .addColumn('next_offset', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('projector_checkpoints_pk', ['consumer', 'topic', 'partition'])
    .execute()
  await db.schema
    .createTable('projector_stream_heads')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('projector_stream_heads_pk', ['consumer', 'stream'])
    .execute()
  await db.schema.dropTable('projection_checkpoints').execute()
  await db.schema.dropTable('projection_stream_versions').execute()
  await sql`alter table event_conflicts rename column projection to consumer`.execute(db)
  await sql`alter table event_conflicts rename constraint event_conflicts_once to event_conflicts_once_per_consumer`.execute(db)
  await sql`truncate ${sql.join([...readModels, 'event_conflicts'].map((t) => sql.table(t)))}`.execute(db)
  // The log position of each snapshot: the event store reads an aggregate's partition from there on.
  await sql`alter table aggregate_snapshots add column "offset" bigint not null default -1`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('projector_stream_heads').execute()
  await db.schema.dropTable('projector_checkpoints').execute()
}
