import { sql } from 'kysely'
import type { Db } from '../../infra/postgres.ts'

export type ProjectionStatus = {
  name: string
  group: string
  lastUpdatedAt: string | null
  partitions: { topic: string; partition: number; nextOffset: number; updatedAt: string }[]
}

export type ConflictView = {
  id: number
  group: string
  stream: string
  kind: string
  eventId: string
  eventType: string
  version: number
  expectedVersion: number
  topic: string
  partition: number
  offset: number
  detectedAt: string
}

/** A read model another part of the product owns is reported only if its table exists: null otherwise. */
export type SystemStatus = {
  tasks: { total: number; byStatus: Record<string, number> }
  agents: { total: number; byStatus: Record<string, number> | null } | null
  pools: { count: number } | null
  hitl: { pending: number } | null
  conflicts: { count: number; latest: ConflictView[] }
  projections: ProjectionStatus[]
}

const countsBy = (rows: readonly { key: string; n: number | string }[]): Record<string, number> =>
  Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]))
const sumOf = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)

/** Tables (and whether they have a status column) in the read-model schema. */
async function optionalTables(db: Db): Promise<Map<string, boolean>> {
  const { rows } = await sql<{ table_name: string; has_status: boolean }>`
    select t.table_name, exists (select 1 from information_schema.columns c
      where c.table_schema = t.table_schema and c.table_name = t.table_name and c.column_name = 'status') as has_status
    from information_schema.tables t
    where t.table_schema = current_schema() and t.table_name in ('agents', 'pools', 'hitl_requests')`.execute(db)
  return new Map(rows.map((r) => [r.table_name, r.has_status]))
}

async function groupByStatus(db: Db, table: string): Promise<Record<string, number>> {
  const { rows } = await sql<{
    key: string
    n: number
  }>`select status as key, count(*)::int8 as n from ${sql.table(table)} group by status`.execute(db)
  return countsBy(rows)
}

async function countRows(db: Db, table: string, where = sql`true`): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int8 as n from ${sql.table(table)} where ${where}`.execute(db)
  return Number(rows[0]?.n ?? 0)
}

/** Counts across the read models, conflicts and projector checkpoints; `placements` say which group runs each projection. */
export async function readSystemStatus(
  db: Db,
  placements: readonly { name: string; group: string }[],
  latestConflicts = 10,
): Promise<SystemStatus> {
  const tables = await optionalTables(db)
  const agentsHaveStatus = tables.get('agents')
  const hitlHasStatus = tables.get('hitl_requests')
  const [tasks, agents, pools, hitl, conflictCount, latest, checkpoints] = await Promise.all([
    groupByStatus(db, 'tasks'),
    agentsHaveStatus === undefined ? null : agentsHaveStatus ? groupByStatus(db, 'agents') : countRows(db, 'agents'),
    tables.has('pools') ? countRows(db, 'pools') : null,
    // Only a status column tells which requests are still open.
    hitlHasStatus ? countRows(db, 'hitl_requests', sql`status = 'pending'`) : null,
    countRows(db, 'event_conflicts'),
    db.selectFrom('event_conflicts').selectAll().orderBy('id', 'desc').limit(latestConflicts).execute(),
    db.selectFrom('projector_checkpoints').selectAll().orderBy('consumer').orderBy('topic').orderBy('partition').execute(),
  ])
  return {
    tasks: { total: sumOf(tasks), byStatus: tasks },
    agents:
      agents === null ? null : typeof agents === 'number' ? { total: agents, byStatus: null } : { total: sumOf(agents), byStatus: agents },
    pools: pools === null ? null : { count: pools },
    hitl: hitl === null ? null : { pending: hitl },
    conflicts: {
      count: conflictCount,
      latest: latest.map((c) => ({
        id: Number(c.id),
        group: c.consumer,
        stream: c.stream,
        kind: c.kind,
        eventId: c.event_id,
        eventType: c.event_type,
        version: c.version,
        expectedVersion: c.expected_version,
        topic: c.topic,
        partition: c.partition,
        offset: Number(c.offset),
        detectedAt: new Date(c.detected_at as unknown as Date).toISOString(),
      })),
    },
    projections: placements.map(({ name, group }) => {
      const parts = checkpoints.filter((c) => c.consumer === group)
      const last = parts.reduce<Date | null>((max, c) => (max === null || c.updated_at > max ? c.updated_at : max), null)
      return {
        name,
        group,
        lastUpdatedAt: last?.toISOString() ?? null,
        partitions: parts.map((c) => ({
          topic: c.topic,
          partition: c.partition,
          nextOffset: Number(c.next_offset),
          updatedAt: c.updated_at.toISOString(),
        })),
      }
    }),
  }
}
