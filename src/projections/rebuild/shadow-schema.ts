import { sql, type Transaction } from 'kysely'
import type { Config } from '../../config.ts'
import { AppError } from '../../errors.ts'
import { createDb, type Db } from '../../infra/postgres.ts'
import type { Database } from '../../database/schema.ts'
import { migrateToLatest } from '../../database/migrate.ts'

const ident = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]/g, '_')

/** `<live>_rb_<projection>_<stamp>`, within Postgres' 63-byte identifier limit. */
export const shadowSchemaName = (live: string, projection: string, stamp: string, role: 'rb' | 'old' = 'rb'): string =>
  `${ident(live).slice(0, 30)}_${role}_${ident(projection).slice(0, 20)}_${ident(stamp)}`

/** A fresh schema with every read-model table, built by the same migrations as the live one. */
export async function createShadow(config: Pick<Config, 'postgres'>, schema: string): Promise<Db> {
  const db = createDb({ postgres: { url: config.postgres.url, schema } }, { max: 6 })
  const { error } = await migrateToLatest(db, schema)
  if (error) {
    await db.destroy()
    throw new AppError('rebuild.migrate-failed', `could not create shadow schema ${schema}: ${(error as Error).message}`)
  }
  return db
}

export { dropSchema } from '../../database/ddl-lock.ts'

/**
 * Drops the non-unique indexes of a shadow's tables (unique ones stay: upserts need them) and
 * returns what builds them again. One index build over the loaded rows costs a fraction of keeping
 * GIN and trigram indexes up to date row by row.
 */
export async function deferSecondaryIndexes(db: Db, schema: string, tables: readonly string[]): Promise<() => Promise<void>> {
  const { rows } = await sql<{ name: string; definition: string }>`
    select i.relname as name, pg_get_indexdef(x.indexrelid) as definition
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = t.relnamespace
    where n.nspname = ${schema} and t.relname = any(${[...tables]}::text[]) and not x.indisunique and not x.indisprimary`.execute(db)
  for (const r of rows) await sql`drop index ${sql.id(schema, r.name)}`.execute(db)
  return async () => {
    for (const r of rows) await sql.raw(r.definition).execute(db)
  }
}

/**
 * Locks the live checkpoint rows of the projection's group (the live runner locks the same rows
 * first in each unit of work, so it waits here) and returns their positions.
 */
export async function lockGroupCheckpoints(
  tx: Transaction<Database>,
  schema: string,
  consumer: string,
  partitions: readonly { topic: string; partition: number }[],
): Promise<Map<string, number>> {
  const rows = await sql<{ topic: string; partition: number; next_offset: number }>`
    select topic, partition, next_offset from ${sql.id(schema, 'projector_checkpoints')}
    where consumer = ${consumer} and topic = any(${[...new Set(partitions.map((p) => p.topic))]}::text[])
    order by topic, partition for update`.execute(tx)
  return new Map(rows.rows.map((r) => [`${r.topic}:${r.partition}`, Number(r.next_offset)]))
}
