import { sql, type Transaction } from 'kysely'
import type { Database, Db } from './schema.ts'

/** One advisory lock id for every schema-level DDL of AgentFleet ("afdl"). */
const schemaDdlLock = 0x6166646c

/**
 * Serialises migrations and schema drops across processes. kysely's migrator introspects the
 * tables of every schema (pg_get_serial_sequence per table), which fails with "schema … does not
 * exist" when another process drops a schema at that moment: read-model schemas are created and
 * dropped by rebuilds, and by tests that each own one.
 */
export function withSchemaDdlLock<T>(db: Db, work: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${schemaDdlLock})`.execute(connection)
    try {
      return await work()
    } finally {
      await sql`select pg_advisory_unlock(${schemaDdlLock})`.execute(connection)
    }
  })
}

export const dropSchema = (db: Db, schema: string): Promise<void> =>
  withSchemaDdlLock(db, async () => {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
  })

/** The same lock for a transaction that moves tables between schemas; released at commit. */
export async function lockSchemaDdlInTransaction(tx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${schemaDdlLock})`.execute(tx)
}
