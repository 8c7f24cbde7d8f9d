import { sql } from 'kysely'
import type { Db } from '../../infra/postgres.ts'

export type TaskFilters = Readonly<{
  status?: string
  pool?: string
  priority?: string
  projectId?: string
  workflowId?: string
  createdAfter?: Date
  createdBefore?: Date
  /** JSON containment on the payload (`@>`, served by the GIN index) */
  payload?: unknown
}>

export type Cursor = Readonly<{ createdAt: string; id: string }>

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url')
export function decodeCursor(raw: string): Cursor | undefined {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [string, string]
    return typeof createdAt === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(createdAt)) ? { createdAt, id } : undefined
  } catch {
    return undefined
  }
}

export const getTask = (db: Db, id: string) => db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst()

export type TaskRecord = NonNullable<Awaited<ReturnType<typeof getTask>>>

/** Newest first, keyset-paginated on (created_at, id). */
export async function listTasks(db: Db, filters: TaskFilters, limit: number, after?: Cursor): Promise<{ items: TaskRecord[]; next?: string }> {
  let q = db.selectFrom('tasks').selectAll()
  if (filters.status) q = q.where('status', '=', filters.status)
  if (filters.pool) q = q.where('pool', '=', filters.pool)
  if (filters.priority) q = q.where('priority', '=', filters.priority)
  if (filters.projectId) q = q.where('project_id', '=', filters.projectId)
  if (filters.workflowId) q = q.where('workflow_id', '=', filters.workflowId)
  if (filters.createdAfter) q = q.where('created_at', '>=', filters.createdAfter)
  if (filters.createdBefore) q = q.where('created_at', '<', filters.createdBefore)
  if (filters.payload !== undefined) q = q.where(sql<boolean>`payload @> ${JSON.stringify(filters.payload)}::jsonb`)
  if (after) q = q.where(sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id})`)
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute()
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  return { items, next: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id }) : undefined }
}
