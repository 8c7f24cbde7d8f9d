import type { ColumnType, Generated } from 'kysely'

/** Postgres read models, as kysely sees them. Columns are snake_case, as in SQL. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>
/** jsonb: any JSON value out, JSON text in */
export type Json = ColumnType<unknown, string, string>

export interface ProjectionCheckpointsTable {
  projection: string
  topic: string
  partition: number
  /** the next offset to apply (Kafka's committed-offset convention) */
  next_offset: number
  updated_at: Timestamp
}

export interface ProjectionStreamVersionsTable {
  projection: string
  stream: string
  version: number
  event_id: string
}

export interface EventConflictsTable {
  id: Generated<number>
  projection: string
  stream: string
  kind: 'duplicate-version' | 'gap'
  event_id: string
  event_type: string
  version: number
  expected_version: number
  topic: string
  partition: number
  offset: number
  detected_at: Generated<Timestamp>
}

export interface AggregateSnapshotsTable {
  stream: string
  aggregate_type: string
  aggregate_id: string
  version: number
  state: Json
}

export interface TasksTable {
  id: string
  version: number
  title: string
  description: string | null
  pool: string
  priority: string
  priority_rank: number
  status: string
  payload: Json
  max_attempts: number
  timeout_ms: number
  project_id: string | null
  workflow_id: string | null
  depends_on: string[]
  progress: number
  progress_message: string | null
  cancel_reason: string | null
  created_by: string
  created_at: Timestamp
  updated_at: Timestamp
}

export interface TaskFailuresTable {
  task_id: string
  version: number
  /** [{attempt, error, at}] of the current retry budget */
  failures: Json
  last_error: string | null
  attempts: number
  dead_lettered_at: Timestamp | null
  purged_at: Timestamp | null
}

export interface Database {
  projection_checkpoints: ProjectionCheckpointsTable
  projection_stream_versions: ProjectionStreamVersionsTable
  event_conflicts: EventConflictsTable
  aggregate_snapshots: AggregateSnapshotsTable
  tasks: TasksTable
  task_failures: TaskFailuresTable
}
