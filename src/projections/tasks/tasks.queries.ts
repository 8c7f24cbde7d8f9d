import { sql, type Expression, type SqlBool } from 'kysely'
import type { Db } from '../../infra/postgres.ts'
import { encodeCursor, type Cursor, type SortOrder, type TaskSort } from './task-cursor.ts'

export { decodeCursor, encodeCursor, type Cursor } from './task-cursor.ts'

export type TaskFilters = Readonly<{
  status?: readonly string[]
  pool?: string
  priority?: string
  role?: string
  /** the current or last holder, or the agent the task is assigned to */
  agentId?: string
  projectId?: string
  workflowId?: string
  createdAfter?: Date
  createdBefore?: Date
  /** JSON containment on the payload (`@>`, served by the GIN index) */
  payload?: unknown
  /** JSON containment on the metadata labels (`@>`, GIN) */
  metadata?: unknown
  /** substring of the title, case-insensitive (served by the trigram index) */
  q?: string
}>

export type TaskOrder = Readonly<{ sort: TaskSort; order: SortOrder }>

export const getTask = (db: Db, id: string) => db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst()

export type TaskRecord = NonNullable<Awaited<ReturnType<typeof getTask>>>

/** ILIKE wildcards in user text match themselves. */
const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/**
 * The keyset columns of a sort, in the direction they are read. `priority desc` means most
 * urgent first and FIFO within a level (the queue's order); `priority asc` is its exact reverse.
 */
function keyset(o: TaskOrder): { columns: readonly string[]; dir: 'asc' | 'desc' } {
  if (o.sort === 'priority') return { columns: ['priority_rank', 'created_at', 'id'], dir: o.order === 'desc' ? 'asc' : 'desc' }
  return { columns: [o.sort === 'createdAt' ? 'created_at' : 'updated_at', 'id'], dir: o.order }
}

const cursorKeys = (t: TaskRecord, o: TaskOrder): (string | number)[] =>
  o.sort === 'priority'
    ? [t.priority_rank, t.created_at.toISOString(), t.id]
    : [(o.sort === 'createdAt' ? t.created_at : t.updated_at).toISOString(), t.id]

/** A row-value comparison `(a, b, c) > (x, y, z)`: one index range scan for every sort. */
function after(o: TaskOrder, cursor: Cursor): Expression<SqlBool> {
  const { columns, dir } = keyset(o)
  const values = cursor.keys.map((k, i) =>
    columns[i] === 'created_at' || columns[i] === 'updated_at' ? sql`${k}::timestamptz` : sql`${k}`,
  )
  const cols = sql.join(columns.map((c) => sql.ref(c)))
  return dir === 'asc' ? sql<SqlBool>`(${cols}) > (${sql.join(values)})` : sql<SqlBool>`(${cols}) < (${sql.join(values)})`
}

/** Filtered, sorted, keyset-paginated tasks. */
export async function listTasks(
  db: Db,
  filters: TaskFilters,
  order: TaskOrder,
  limit: number,
  cursor?: Cursor,
): Promise<{ items: TaskRecord[]; next?: string }> {
  let q = db.selectFrom('tasks').selectAll()
  if (filters.status?.length) q = q.where('status', 'in', [...filters.status])
  if (filters.pool) q = q.where('pool', '=', filters.pool)
  if (filters.priority) q = q.where('priority', '=', filters.priority)
  if (filters.role) q = q.where('role', '=', filters.role)
  if (filters.agentId) {
    const a = filters.agentId
    q = q.where((eb) => eb.or([eb('agent_id', '=', a), eb('assigned_agent_id', '=', a)]))
  }
  if (filters.projectId) q = q.where('project_id', '=', filters.projectId)
  if (filters.workflowId) q = q.where('workflow_id', '=', filters.workflowId)
  if (filters.createdAfter) q = q.where('created_at', '>=', filters.createdAfter)
  if (filters.createdBefore) q = q.where('created_at', '<', filters.createdBefore)
  if (filters.payload !== undefined) q = q.where(sql<SqlBool>`payload @> ${JSON.stringify(filters.payload)}::jsonb`)
  if (filters.metadata !== undefined) q = q.where(sql<SqlBool>`metadata @> ${JSON.stringify(filters.metadata)}::jsonb`)
  if (filters.q) q = q.where(sql<SqlBool>`title ilike ${likePattern(filters.q)}`)
  if (cursor) q = q.where(after(order, cursor))
  const { columns, dir } = keyset(order)
  for (const c of columns) q = q.orderBy(sql.ref(c), dir)
  const rows = await q.limit(limit + 1).execute()
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  return { items, next: rows.length > limit && last ? encodeCursor({ ...order, keys: cursorKeys(last, order) }) : undefined }
}
