import { sql } from 'kysely'
import type { Db } from '../../infra/postgres.ts'

/** The ids among `ids` that the tasks read model knows. */
export async function knownTaskIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .selectFrom('tasks')
    .select('id')
    .where('id', 'in', [...ids])
    .execute()
  return new Set(rows.map((r) => r.id))
}

/**
 * Whether making `taskId` depend on `dependsOnId` closes a cycle: true when `taskId` is
 * reachable from `dependsOnId` along existing dependency edges (a recursive walk of
 * task_dependencies; UNION stops on already visited nodes, so existing cycles terminate).
 * Returns the path found, dependency first.
 */
export async function dependencyPath(db: Db, taskId: string, dependsOnId: string): Promise<string[] | undefined> {
  if (taskId === dependsOnId) return [taskId]
  const { rows } = await sql<{ path: string[] }>`
    with recursive reach(node, path) as (
      select ${dependsOnId}::text, array[${dependsOnId}::text]
      union all
      select d.depends_on_id, r.path || d.depends_on_id
        from reach r join task_dependencies d on d.task_id = r.node
       where not d.depends_on_id = any(r.path) and cardinality(r.path) < 10000
    )
    select path from reach where node = ${taskId} limit 1`.execute(db)
  return rows[0]?.path
}

/** The tasks waiting for (or having waited for) `taskId`, and those it depends on, with their status. */
export async function dependencyGraph(db: Db, taskId: string) {
  const [dependsOn, dependents] = await Promise.all([
    db
      .selectFrom('task_dependencies as d')
      .leftJoin('tasks as t', 't.id', 'd.depends_on_id')
      .select(['d.depends_on_id as id', 'd.resolved', 't.status'])
      .where('d.task_id', '=', taskId)
      .orderBy('d.depends_on_id')
      .execute(),
    db
      .selectFrom('task_dependencies as d')
      .leftJoin('tasks as t', 't.id', 'd.task_id')
      .select(['d.task_id as id', 'd.resolved', 't.status'])
      .where('d.depends_on_id', '=', taskId)
      .orderBy('d.task_id')
      .execute(),
  ])
  return { dependsOn, dependents }
}

/**
 * The pool serving `role`, when a pools read model exists: the oldest active pool with that role.
 * `undefined` when no pools table exists or no active pool has the role.
 */
export async function poolForRole(db: Db, role: string): Promise<string | undefined> {
  const {
    rows: [table],
  } = await sql<{ found: string | null }>`select to_regclass('pools')::text as found`.execute(db)
  if (!table?.found) return undefined
  const { rows } = await sql<{ name: string }>`
    select name from pools where role = ${role} and status = 'active' order by created_at, name limit 1`.execute(db)
  return rows[0]?.name
}
