import type { Db } from '../../infra/postgres.ts'

/** An aggregate's events in version order, from `afterVersion` (exclusive). */
export const aggregateEvents = (db: Db, aggregateType: string, id: string, afterVersion: number, limit: number) =>
  db
    .selectFrom('aggregate_events')
    .selectAll()
    .where('stream', '=', `${aggregateType}:${id}`)
    .where('version', '>', afterVersion)
    .orderBy('version')
    .limit(limit)
    .execute()

/** The last version the history holds for an aggregate (0 when none). */
export async function historyVersion(db: Db, aggregateType: string, id: string): Promise<{ version: number } | undefined> {
  const row = await db
    .selectFrom('aggregate_events')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('stream', '=', `${aggregateType}:${id}`)
    .executeTakeFirst()
  return row?.version == null ? undefined : { version: Number(row.version) }
}

export const taskAttempts = (db: Db, taskId: string) =>
  db.selectFrom('task_attempts').selectAll().where('task_id', '=', taskId).orderBy('queued_version').execute()
