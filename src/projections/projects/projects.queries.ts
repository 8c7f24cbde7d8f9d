import { sql } from 'kysely'
import type { Db } from '../../infra/postgres.ts'
import { encodeCursor, type Cursor } from '../created-at-cursor.ts'

export const getProject = (db: Db, id: string) => db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst()

export type ProjectRecord = NonNullable<Awaited<ReturnType<typeof getProject>>>

export async function listProjects(
  db: Db,
  status: string | undefined,
  limit: number,
  after?: Cursor,
): Promise<{ items: ProjectRecord[]; next?: string }> {
  let q = db.selectFrom('projects').selectAll()
  if (status) q = q.where('status', '=', status)
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

export type ProjectStatus = Readonly<{
  tasks: Readonly<{ total: number; byStatus: Record<string, number> }>
  /** null when this deployment keeps no agents read model with projects */
  agents: Readonly<{ total: number; byStatus: Record<string, number> }> | null
  hitl: Readonly<{ pending: number }>
  workflows: Readonly<{ byStatus: Record<string, number> }>
}>

const countsByStatus = (rows: readonly { status: string; n: string | number }[]) => {
  const byStatus = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
  return { total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus }
}

/** The agents read model belongs to another area and may be absent: ask the catalog, never guess. */
async function hasAgentsByProject(db: Db): Promise<boolean> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from information_schema.columns
    where table_schema = current_schema() and table_name = 'agents' and column_name in ('project_id', 'status')`.execute(db)
  return Number(rows[0]?.n ?? 0) === 2
}

/** Counts from the read models, all by project id. */
export async function projectStatus(db: Db, projectId: string): Promise<ProjectStatus> {
  const [tasks, hitl, workflows, agents] = await Promise.all([
    db
      .selectFrom('tasks')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('project_id', '=', projectId)
      .groupBy('status')
      .execute(),
    db
      .selectFrom('hitl_requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('project_id', '=', projectId)
      .where('status', '=', 'pending')
      .executeTakeFirst(),
    db
      .selectFrom('workflows')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('project_id', '=', projectId)
      .groupBy('status')
      .execute(),
    hasAgentsByProject(db).then(async (present) =>
      present
        ? (
            await sql<{
              status: string
              n: string
            }>`select status, count(*) as n from agents where project_id = ${projectId} group by status`.execute(db)
          ).rows
        : null,
    ),
  ])
  return {
    tasks: countsByStatus(tasks),
    agents: agents === null ? null : countsByStatus(agents),
    hitl: { pending: Number(hitl?.n ?? 0) },
    workflows: { byStatus: countsByStatus(workflows).byStatus },
  }
}
