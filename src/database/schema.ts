import type { ColumnType, Generated, Kysely } from 'kysely'

/** Postgres read models, as kysely sees them. Columns are snake_case, as in SQL. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>
/** jsonb: any JSON value out, JSON text in */
export type Json = ColumnType<unknown, string, string>

/** Where a projector group (the consumer) stands in each partition it reads. */
export interface ProjectorCheckpointsTable {
  consumer: string
  topic: string
  partition: number
  /** the next offset to apply (Kafka's committed-offset convention) */
  next_offset: number
  updated_at: Timestamp
}

/** The last version a projector group applied of each stream: its version gate. */
export interface ProjectorStreamHeadsTable {
  consumer: string
  stream: string
  version: number
  event_id: string
}

export interface ProjectorLogIdentityTable {
  consumer: string
  topic: string
  cluster_id: string
  topic_id: string
  recorded_at: Generated<Timestamp>
}

export interface EventConflictsTable {
  id: Generated<number>
  /** the projector group that skipped the event */
  consumer: string
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
  /** offset of the last event folded in (its partition is the aggregate's): a log read resumes after it */
  offset: number
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
  role: string | null
  metadata: ColumnType<unknown, string | undefined, string>
  attempt: Generated<number>
  /** the current (or last) holder */
  agent_id: string | null
  assigned_agent_id: string | null
  lease_epoch: Generated<number>
  result: ColumnType<unknown, string | null, string | null>
  last_error: string | null
  queued_at: Timestamp | null
  started_at: Timestamp | null
  completed_at: Timestamp | null
  finished_at: Timestamp | null
  dead_lettered_at: Timestamp | null
  retry_at: Timestamp | null
  purged: Generated<boolean>
  open_dependencies: ColumnType<string[], string[] | undefined, string[]>
  awaiting_request_id: string | null
}

export interface TaskDependenciesTable {
  task_id: string
  depends_on_id: string
  resolved: boolean
}

export type AttemptOutcome = 'completed' | 'failed' | 'lease-expired' | 'cancelled' | 'input-requested'

export interface TaskAttemptsTable {
  task_id: string
  /** version of the TaskQueued that opened this run: a resumed attempt (after input) is a new run */
  queued_version: number
  attempt: number
  agent_id: string | null
  queued_at: Timestamp
  claimed_at: Timestamp | null
  started_at: Timestamp | null
  ended_at: Timestamp | null
  outcome: AttemptOutcome | null
  error: string | null
  duration_ms: number | null
}

export interface AggregateEventsTable {
  stream: string
  version: number
  aggregate_type: string
  aggregate_id: string
  event_id: string
  event_type: string
  data: Json
  meta: Json
  occurred_at: Timestamp
  topic: string
  partition: number
  offset: number
}

export interface ReactorTaskOutcomesTable {
  task_id: string
  outcome: string | null
  version: number
}

export interface ReactorDependencyEdgesTable {
  task_id: string
  depends_on_id: string
  open: boolean
  version: number
}

export interface AgentsTable {
  id: string
  version: number
  name: string
  role: string
  pool: string | null
  project_id: string | null
  capabilities: string[]
  metadata: Json
  origin: string
  status: string
  status_reason: string | null
  healthy: boolean
  /** as recorded in the log (registration, offline, recovery); the API overlays fresher Redis heartbeats */
  last_heartbeat_at: Timestamp | null
  worker_id: string | null
  process_id: string | null
  graceful: boolean | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface PoolsTable {
  name: string
  version: number
  role: string
  handler: string
  handler_config: Json
  max_agents_per_process: number
  min_workers: number
  max_workers: number
  lag_threshold: number
  scale_interval_ms: number
  scale_down_stabilization_ms: number
  /** workers | pull */
  mode: string
  status: string
  /** toWorkers of the last PoolScaled */
  workers: number
  last_scaling: ColumnType<unknown, string | null, string | null>
  /** why the worker group cannot run the handler (PoolDegraded); null while it can */
  degraded_reason: string | null
  degraded_at: Date | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface QueueStatsTasksTable {
  task_id: string
  pool: string
  priority: string
  status: string
  queued_at: Timestamp | null
  started_at: Timestamp | null
}

export interface QueueStatsCountersTable {
  pool: string
  priority: string
  depth: number
  in_flight: number
  awaiting_input: number
  retry_scheduled: number
  completed: number
  failed: number
  lease_expired: number
  dead_lettered: number
  cancelled: number
}

export interface QueueStatsMinutesTable {
  pool: string
  priority: string
  minute: Timestamp
  completed: number
  failed: number
  finished: number
  wait_count: number
  wait_sum_ms: number
  wait_buckets: number[]
  exec_count: number
  exec_sum_ms: number
  exec_buckets: number[]
}

export interface MetricsSnapshotsTable {
  taken_at: Timestamp
  data: Json
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

export interface HitlRequestsTable {
  id: string
  version: number
  status: string
  task_id: string | null
  agent_id: string | null
  project_id: string | null
  question: string
  options: ColumnType<string[] | null, string, string>
  context: Json
  expires_at: Timestamp | null
  response: ColumnType<unknown, string, string>
  responded_by: string | null
  responded_at: Timestamp | null
  cancel_reason: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface ProjectsTable {
  id: string
  version: number
  name: string
  description: string | null
  metadata: Json
  status: string
  archive_reason: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface WorkflowsTable {
  id: string
  version: number
  name: string
  description: string | null
  project_id: string | null
  status: string
  steps_total: number
  steps_completed: number
  steps_skipped: number
  failed_step: string | null
  error: string | null
  cancel_reason: string | null
  created_at: Timestamp
  started_at: Timestamp | null
  finished_at: Timestamp | null
  updated_at: Timestamp
}

export interface WorkflowStepsTable {
  workflow_id: string
  step_id: string
  position: number
  task_id: string
  title: string
  pool: string
  priority: string
  depends_on: string[]
  optional: boolean
  outcome: string
  error: string | null
  updated_at: Timestamp
}

export interface WorkerProcessesTable {
  worker_id: string
  pool: string
  host: string
  pid: number | null
  /** starting | consuming | draining */
  status: string
  in_flight: number
  /** the pool's consumer-group lag at the primary's last poll */
  lag: ColumnType<number, number, number>
  started_at: Timestamp
  last_seen_at: Timestamp
  /** the row stands for a live process until then; each heartbeat moves it on */
  expires_at: ColumnType<Date, Date | string | undefined, Date | string>
}
export interface Database {
  worker_processes: WorkerProcessesTable
  projector_checkpoints: ProjectorCheckpointsTable
  projector_stream_heads: ProjectorStreamHeadsTable
  projector_log_identity: ProjectorLogIdentityTable
  event_conflicts: EventConflictsTable
  aggregate_snapshots: AggregateSnapshotsTable
  tasks: TasksTable
  task_dependencies: TaskDependenciesTable
  task_attempts: TaskAttemptsTable
  aggregate_events: AggregateEventsTable
  reactor_task_outcomes: ReactorTaskOutcomesTable
  reactor_dependency_edges: ReactorDependencyEdgesTable
  agents: AgentsTable
  pools: PoolsTable
  queue_stats_tasks: QueueStatsTasksTable
  queue_stats_counters: QueueStatsCountersTable
  queue_stats_minutes: QueueStatsMinutesTable
  metrics_snapshots: MetricsSnapshotsTable
  task_failures: TaskFailuresTable
  hitl_requests: HitlRequestsTable
  projects: ProjectsTable
  workflows: WorkflowsTable
  workflow_steps: WorkflowStepsTable
}

/** A connection pool to the read-model database (one Postgres schema). */
export type Db = Kysely<Database>
