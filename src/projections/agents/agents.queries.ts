import { sql } from 'kysely'
import type { Db } from '../../infra/postgres.ts'

export const AgentSort = ['createdAt', 'name', 'lastHeartbeatAt'] as const
export type AgentSort = (typeof AgentSort)[number]

export type AgentFilters = Readonly<{
  statuses?: readonly string[]
  pool?: string
  role?: string
  projectId?: string
  healthy?: boolean
}>

export type AgentOrder = Readonly<{ sort: AgentSort; direction: 'asc' | 'desc' }>

/** (sort key, id): the sort key travels as text so every sort order shares one cursor format. */
export type AgentCursor = Readonly<{ key: string; id: string }>

export const encodeAgentCursor = (c: AgentCursor): string => Buffer.from(JSON.stringify([c.key, c.id])).toString('base64url')
export function decodeAgentCursor(raw: string): AgentCursor | undefined {
  try {
    const [key, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [unknown, unknown]
    return typeof key === 'string' && typeof id === 'string' ? { key, id } : undefined
  } catch {
    return undefined
  }
}

// Agents that never heartbeat (spawned, not hosted yet) sort before every heartbeat.
const sortExpressions = {
  createdAt: { expr: sql`created_at`, cast: sql`::timestamptz` },
  name: { expr: sql`name`, cast: sql`::text` },
  lastHeartbeatAt: { expr: sql`coalesce(last_heartbeat_at, '-infinity'::timestamptz)`, cast: sql`::timestamptz` },
} as const

export const getAgent = (db: Db, id: string) => db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst()

export type AgentRecord = NonNullable<Awaited<ReturnType<typeof getAgent>>>

/** Keyset-paginated on (sort key, id) in the requested direction. */
export async function listAgents(
  db: Db,
  filters: AgentFilters,
  order: AgentOrder,
  limit: number,
  after?: AgentCursor,
): Promise<{ items: AgentRecord[]; next?: string }> {
  const { expr, cast } = sortExpressions[order.sort]
  let q = db.selectFrom('agents').selectAll().select(sql<string>`(${expr})::text`.as('sort_key'))
  if (filters.statuses?.length) q = q.where('status', 'in', [...filters.statuses])
  if (filters.pool) q = q.where('pool', '=', filters.pool)
  if (filters.role) q = q.where('role', '=', filters.role)
  if (filters.projectId) q = q.where('project_id', '=', filters.projectId)
  if (filters.healthy !== undefined) q = q.where('healthy', '=', filters.healthy)
  const desc = order.direction === 'desc'
  if (after) {
    q = q.where(
      desc
        ? sql<boolean>`(${expr}, id) < (${after.key}${cast}, ${after.id})`
        : sql<boolean>`(${expr}, id) > (${after.key}${cast}, ${after.id})`,
    )
  }
  const rows = await q
    .orderBy(sql`${expr} ${sql.raw(desc ? 'desc' : 'asc')}`)
    .orderBy('id', desc ? 'desc' : 'asc')
    .limit(limit + 1)
    .execute()
  const items = rows.slice(0, limit).map(({ sort_key: _k, ...row }) => row)
  const last = rows[limit - 1]
  return { items, next: rows.length > limit && last ? encodeAgentCursor({ key: last.sort_key, id: last.id }) : undefined }
}

/** Agents of a pool that termination may pick, the least useful first: pending, then idle, then the rest. */
export async function terminationCandidates(db: Db, pool: string, count: number): Promise<string[]> {
  const rows = await db
    .selectFrom('agents')
    .select('id')
    .where('pool', '=', pool)
    .where('origin', '=', 'spawned')
    .where('status', 'not in', ['terminating', 'terminated', 'deregistered'])
    .orderBy(sql`case status when 'pending' then 0 when 'idle' then 1 when 'offline' then 2 when 'error' then 3 else 4 end`)
    .orderBy('created_at', 'desc')
    .limit(count)
    .execute()
  return rows.map((r) => r.id)
}

export async function agentCountsByStatus(db: Db, pool: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('agents')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .where('pool', '=', pool)
    .groupBy('status')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.status, r.n]))
}

/** An agent's work, from its runs (the task attempts read model): counts, mean run time, current task. */
export async function agentRunMetrics(db: Db, agentId: string) {
  const row = await db
    .selectFrom('task_attempts')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('outcome', '=', 'completed').as('completed'),
      eb.fn.countAll<string>().filterWhere('outcome', 'in', ['failed', 'lease-expired']).as('failed'),
      eb.fn.countAll<string>().filterWhere('ended_at', 'is', null).filterWhere('started_at', 'is not', null).as('running'),
      eb.fn.avg<string | null>('duration_ms').as('average'),
      eb.fn.max('ended_at').as('last_finished_at'),
    ])
    .where('agent_id', '=', agentId)
    .executeTakeFirst()
  const current = await db
    .selectFrom('task_attempts')
    .select('task_id')
    .where('agent_id', '=', agentId)
    .where('ended_at', 'is', null)
    .where('started_at', 'is not', null)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  return {
    completed: Number(row?.completed ?? 0),
    failed: Number(row?.failed ?? 0),
    running: Number(row?.running ?? 0),
    averageRunMs: row?.average === null || row?.average === undefined ? null : Math.round(Number(row.average)),
    currentTaskId: current?.task_id ?? null,
    lastFinishedAt: row?.last_finished_at ? new Date(row.last_finished_at as Date).toISOString() : null,
  }
}
