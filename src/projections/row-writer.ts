import { sql, type Transaction } from 'kysely'
import type { Database } from '../database/schema.ts'
import type { StoredEvent } from '../events/envelope.ts'
import { streamOf, type AnyRowProjection } from './projection.ts'

/**
 * Folds a batch into a row projection with three statements whatever its size: load the rows
 * the batch touches, fold every event of a row in memory, then write each row once — the
 * whole batch as one JSON parameter that Postgres turns into rows of the table's own type
 * (`json_populate_recordset`), so arrays, jsonb and timestamps need no per-column handling and
 * no statement runs into the 65,535-parameter limit.
 */
export async function applyRows(tx: Transaction<Database>, projection: AnyRowProjection, events: readonly StoredEvent[]): Promise<void> {
  if (events.length === 0) return
  const { table, key } = projection
  const keys = [...new Set(events.map(projection.keyOf))]
  const existing = await sql<
    Record<string, unknown>
  >`select * from ${sql.table(table)} where ${sql.ref(key)} = any(${keys}::text[])`.execute(tx)
  const rows = new Map<string, Record<string, unknown> | undefined>(existing.rows.map((r) => [String(r[key]), r]))
  for (const event of events) {
    const k = projection.keyOf(event)
    rows.set(k, projection.project(rows.get(k), event))
  }
  const upserts: Record<string, unknown>[] = []
  const deletes: string[] = []
  for (const k of keys) {
    const row = rows.get(k)
    if (row) upserts.push(row)
    else deletes.push(k)
  }
  if (upserts.length > 0) await upsertRows(tx, table, key, upserts)
  if (deletes.length > 0) await sql`delete from ${sql.table(table)} where ${sql.ref(key)} = any(${deletes}::text[])`.execute(tx)
}

/** Whole rows in, one statement: columns missing from a row are written as NULL. */
export async function upsertRows(
  tx: Transaction<Database>,
  table: string,
  key: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  const columns = Object.keys(rows[0]!).filter((c) => c !== key)
  const set = sql.join(columns.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`))
  await sql`insert into ${sql.table(table)} select * from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::json)
    on conflict (${sql.ref(key)}) do update set ${set}`.execute(tx)
}

/** The version column of the rows these events touch, by stream (replay's gate for a row projection). */
export async function rowVersions(
  tx: Transaction<Database>,
  projection: AnyRowProjection,
  events: readonly StoredEvent[],
): Promise<Map<string, number>> {
  const keys = [...new Set(events.map(projection.keyOf))]
  const found = await sql<{
    k: string
    version: number
  }>`select ${sql.ref(projection.key)} as k, version from ${sql.table(projection.table)} where ${sql.ref(projection.key)} = any(${keys}::text[])`.execute(
    tx,
  )
  const byKey = new Map(found.rows.map((r) => [r.k, r.version]))
  return new Map(
    events.flatMap((e) => {
      const v = byKey.get(projection.keyOf(e))
      return v === undefined ? [] : [[streamOf(e), v] as const]
    }),
  )
}
