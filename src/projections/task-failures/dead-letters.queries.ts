import { sql } from 'kysely'
import type { Db } from '../../infra/postgres.ts'
import type { Failure } from './task-failures.projection.ts'

export type DeadLetterFilters = Readonly<{ pool?: string; priority?: string; from?: Date; to?: Date }>

export type DeadLetterCursor = Readonly<{ at: string; id: string }>

export const encodeDeadLetterCursor = (c: DeadLetterCursor): string => Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url')
export function decodeDeadLetterCursor(raw: string): DeadLetterCursor | undefined {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [unknown, unknown]
    return typeof at === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(at)) ? { at, id } : undefined
  } catch {
    return undefined
  }
}

/** Dead letters: tasks whose status is dead_lettered and that were not purged since. */
const deadLetters = (db: Db, filters: DeadLetterFilters) => {
  let q = db
    .selectFrom('tasks')
    .innerJoin('task_failures as f', 'f.task_id', 'tasks.id')
    .where('tasks.status', '=', 'dead_lettered')
    .where('f.dead_lettered_at', 'is not', null)
    .where('f.purged_at', 'is', null)
  if (filters.pool) q = q.where('tasks.pool', '=', filters.pool)
  if (filters.priority) q = q.where('tasks.priority', '=', filters.priority)
  if (filters.from) q = q.where('f.dead_lettered_at', '>=', filters.from)
  if (filters.to) q = q.where('f.dead_lettered_at', '<', filters.to)
  return q
}

const columns = [
  'tasks.id',
  'tasks.version',
  'tasks.title',
  'tasks.pool',
  'tasks.priority',
  'tasks.status',
  'tasks.payload',
  'tasks.max_attempts',
  'tasks.timeout_ms',
  'tasks.created_at',
  'f.attempts',
  'f.last_error',
  'f.failures',
  'f.dead_lettered_at',
] as const

export async function listDeadLetters(db: Db, filters: DeadLetterFilters, limit: number, after?: DeadLetterCursor) {
  let q = deadLetters(db, filters).select(columns)
  if (after) q = q.where(sql<boolean>`(f.dead_lettered_at, tasks.id) < (${after.at}::timestamptz, ${after.id})`)
  const rows = await q
    .orderBy('f.dead_lettered_at', 'desc')
    .orderBy('tasks.id', 'desc')
    .limit(limit + 1)
    .execute()
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  return {
    items,
    next:
      rows.length > limit && last?.dead_lettered_at
        ? encodeDeadLetterCursor({ at: last.dead_lettered_at.toISOString(), id: last.id })
        : undefined,
  }
}

export type DeadLetterRecord = Awaited<ReturnType<typeof listDeadLetters>>['items'][number]

export const getDeadLetter = (db: Db, id: string): Promise<DeadLetterRecord | undefined> =>
  deadLetters(db, {}).select(columns).where('tasks.id', '=', id).executeTakeFirst()

/** Ids of the dead letters matching the filters, oldest first, at most `limit`. */
export async function deadLetterIds(db: Db, filters: DeadLetterFilters, limit: number): Promise<string[]> {
  const rows = await deadLetters(db, filters)
    .select('tasks.id')
    .orderBy('f.dead_lettered_at', 'asc')
    .orderBy('tasks.id', 'asc')
    .limit(limit)
    .execute()
  return rows.map((r) => r.id)
}

export const countDeadLetters = async (db: Db, filters: DeadLetterFilters): Promise<number> =>
  Number(
    (
      await deadLetters(db, filters)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

/** A dead letter as the API and the CLI show it (camelCase, ISO times). */
export const toDeadLetterView = (d: DeadLetterRecord) => ({
  id: d.id,
  version: d.version,
  title: d.title,
  pool: d.pool,
  priority: d.priority as 'NORMAL',
  payload: d.payload,
  maxAttempts: d.max_attempts,
  attempts: d.attempts,
  lastError: d.last_error,
  failures: d.failures as Failure[],
  createdAt: d.created_at.toISOString(),
  deadLetteredAt: (d.dead_lettered_at ?? d.created_at).toISOString(),
})
