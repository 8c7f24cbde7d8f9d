import { sql, type Transaction } from 'kysely'
import { lockSchemaDdlInTransaction } from '../../database/ddl-lock.ts'
import type { Database } from '../../database/schema.ts'

export type SwapPlan = Readonly<{ tables: readonly string[]; live: string; shadow: string; old: string }>

/**
 * Inside the transaction that holds the live checkpoint locks of the projection's group: moves
 * the live tables out to `old` and the shadow tables in. The shadow stands exactly at the group's
 * position, and the group's checkpoints and stream heads stay as they are (the version gate
 * decides the same from the same log), so the live runner resumes on the new tables: nothing
 * lost, nothing applied twice.
 */
export async function swapTables(tx: Transaction<Database>, plan: SwapPlan): Promise<void> {
  const { live, shadow } = plan
  await lockSchemaDdlInTransaction(tx)
  await sql`create schema ${sql.id(plan.old)}`.execute(tx)
  for (const t of plan.tables) {
    await sql`alter table ${sql.id(live, t)} set schema ${sql.id(plan.old)}`.execute(tx)
    await sql`alter table ${sql.id(shadow, t)} set schema ${sql.id(live)}`.execute(tx)
  }
}
