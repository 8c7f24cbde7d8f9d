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
 * Locks the live checkpoint rows of the projection's group (the live runner locks the same rows
 * first in each unit of work, so it waits here) and returns their positions.
 */
export async function lockGroupCheckpoints(tx: Transaction<Database>, schema: string, consumer: string, partitions: readonly { topic: string; partition: number }[]): Promise<Map<string, number>> {
  const rows = await sql<{ topic: string; partition: number; next_offset: number }>`
    select topic, partition, next_offset from ${sql.id(schema, 'projector_checkpoints')}
    where consumer = ${consumer} and topic = any(${[...new Set(partitions.map((p) => p.topic))]}::text[])
    order by topic, partition for update`.execute(tx)
  return new Map(rows.rows.map((r) => [`${r.topic}:${r.partition}`, Number(r.next_offset)]))
}
