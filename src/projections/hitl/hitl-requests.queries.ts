import { sql } from 'kysely'
import type { Db } from '../../infra/postgres.ts'
import { encodeCursor, type Cursor } from '../created-at-cursor.ts'

export type HitlFilters = Readonly<{ status?: string; projectId?: string; taskId?: string; agentId?: string }>

export const getHitlRequest = (db: Db, id: string) => db.selectFrom('hitl_requests').selectAll().where('id', '=', id).executeTakeFirst()

export type HitlRecord = NonNullable<Awaited<ReturnType<typeof getHitlRequest>>>

/** Newest first, keyset-paginated on (created_at, id). */
export async function listHitlRequests(
  db: Db,
  filters: HitlFilters,
  limit: number,
  after?: Cursor,
): Promise<{ items: HitlRecord[]; next?: string }> {
  let q = db.selectFrom('hitl_requests').selectAll()
  if (filters.status) q = q.where('status', '=', filters.status)
  if (filters.projectId) q = q.where('project_id', '=', filters.projectId)
  if (filters.taskId) q = q.where('task_id', '=', filters.taskId)
  if (filters.agentId) q = q.where('agent_id', '=', filters.agentId)
  if (after) q = q.where(sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id})`)
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute()
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  return { items, next: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id }) : undefined }
}
