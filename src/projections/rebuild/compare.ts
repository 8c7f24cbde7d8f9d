import { sql, type RawBuilder, type Transaction } from 'kysely'
import type { Database } from '../../database/schema.ts'

export type RowDiff = Readonly<{ key: Record<string, unknown>; live: unknown; rebuilt: unknown }>
export type TableDiff = Readonly<{ table: string; liveRows: number; rebuiltRows: number; differing: number; sample: readonly RowDiff[] }>

async function keyColumns(tx: Transaction<Database>, schema: string, table: string): Promise<string[]> {
  const r = await sql<{ name: string }>`
    select a.attname as name from pg_index i
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
    where i.indrelid = format('%I.%I', ${schema}::text, ${table}::text)::regclass and i.indisprimary order by a.attnum`.execute(tx)
  return r.rows.map((x) => x.name)
}

/** Rows that differ between two relations with the same columns, by key; a sample of both sides. */
async function diffRelations(
  tx: Transaction<Database>,
  name: string,
  live: RawBuilder<unknown>,
  rebuilt: RawBuilder<unknown>,
  keys: readonly string[],
  sampleSize: number,
): Promise<TableDiff> {
  const counts = await sql<{
    l: number
    r: number
  }>`select (select count(*) from ${live} x)::int as l, (select count(*) from ${rebuilt} y)::int as r`.execute(tx)
  const rows = await sql<{ side: 'live' | 'rebuilt'; row: Record<string, unknown> }>`
    with a as (select * from ${live} x except select * from ${rebuilt} y), b as (select * from ${rebuilt} y except select * from ${live} x)
    select 'live' as side, to_jsonb(a.*) as row from a union all select 'rebuilt' as side, to_jsonb(b.*) as row from b`.execute(tx)
  const byKey = new Map<string, { key: Record<string, unknown>; live: unknown; rebuilt: unknown }>()
  for (const { side, row } of rows.rows) {
    const key = Object.fromEntries((keys.length > 0 ? keys : Object.keys(row)).map((k) => [k, row[k]]))
    const id = JSON.stringify(key)
    const entry = byKey.get(id) ?? { key, live: null, rebuilt: null }
    entry[side] = row
    byKey.set(id, entry)
  }
  return {
    table: name,
    liveRows: counts.rows[0]!.l,
    rebuiltRows: counts.rows[0]!.r,
    differing: byKey.size,
    sample: [...byKey.values()].slice(0, sampleSize),
  }
}

/** What a swap would change: every table the projection owns. */
export async function compareShadow(
  tx: Transaction<Database>,
  live: string,
  shadow: string,
  tables: readonly string[],
  sampleSize = 5,
): Promise<TableDiff[]> {
  const out: TableDiff[] = []
  for (const t of tables) {
    out.push(await diffRelations(tx, t, sql`${sql.id(live, t)}`, sql`${sql.id(shadow, t)}`, await keyColumns(tx, live, t), sampleSize))
  }
  return out
}
