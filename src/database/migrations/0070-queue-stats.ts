import { sql, type Kysely } from 'kysely'

/**
 * The queue-stats projection: per-task memory (to move gauges), counters per pool and priority,
 * and per-minute histograms of wait and run times (see queue-stats/histogram.ts for the buckets).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('queue_stats_tasks')
    .addColumn('task_id', 'text', (c) => c.primaryKey())
    .addColumn('pool', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'timestamptz')
    .addColumn('started_at', 'timestamptz')
    .execute()
  let counters = db.schema
    .createTable('queue_stats_counters')
    .addColumn('pool', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
  for (const f of [
    'depth',
    'in_flight',
    'awaiting_input',
    'retry_scheduled',
    'completed',
    'failed',
    'lease_expired',
    'dead_lettered',
    'cancelled',
  ]) {
    counters = counters.addColumn(f, 'bigint', (c) => c.notNull().defaultTo(0))
  }
  await counters.addPrimaryKeyConstraint('queue_stats_counters_pk', ['pool', 'priority']).execute()
  await db.schema
    .createTable('queue_stats_minutes')
    .addColumn('pool', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('minute', 'timestamptz', (c) => c.notNull())
    .addColumn('completed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('finished', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('wait_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('wait_sum_ms', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('wait_buckets', sql`integer[]`, (c) => c.notNull())
    .addColumn('exec_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('exec_sum_ms', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('exec_buckets', sql`integer[]`, (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_stats_minutes_pk', ['pool', 'priority', 'minute'])
    .execute()
  // Window queries scan recent minutes across all pools.
  await db.schema.createIndex('queue_stats_minutes_minute').on('queue_stats_minutes').column('minute').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['queue_stats_minutes', 'queue_stats_counters', 'queue_stats_tasks']) await db.schema.dropTable(t).execute()
}
