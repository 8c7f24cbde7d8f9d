import { sql, type Transaction } from 'kysely'
import type { Database } from '../../database/schema.ts'
import { lockSchemaDdlInTransaction } from '../../database/ddl-lock.ts'

export type SwapPlan = Readonly<{ projection: string; tables: readonly string[]; live: string; shadow: string; old: string }>

/**
 * Inside the transaction that holds the live checkpoint locks: moves the live tables out to
 * `old`, the shadow tables in, and replaces the projection's stream versions, conflicts and
 * checkpoints with the shadow's. A live batch blocked on the checkpoint lock then resumes on
 * the new tables from the shadow's position: nothing lost, nothing applied twice.
 */
export async function swapTables(tx: Transaction<Database>, plan: SwapPlan): Promise<void> {
  const { live, shadow, projection } = plan
  await lockSchemaDdlInTransaction(tx)
  await sql`create schema ${sql.id(plan.old)}`.execute(tx)
  for (const t of plan.tables) {
    await sql`alter table ${sql.id(live, t)} set schema ${sql.id(plan.old)}`.execute(tx)
    await sql`alter table ${sql.id(shadow, t)} set schema ${sql.id(live)}`.execute(tx)
  }
  await sql`delete from ${sql.id(live, 'projection_stream_versions')} where projection = ${projection}`.execute(tx)
  await sql`insert into ${sql.id(live, 'projection_stream_versions')} (projection, stream, version, event_id)
    select projection, stream, version, event_id from ${sql.id(shadow, 'projection_stream_versions')} where projection = ${projection}`.execute(tx)
  await sql`delete from ${sql.id(live, 'event_conflicts')} where projection = ${projection}`.execute(tx)
  await sql`insert into ${sql.id(live, 'event_conflicts')} (projection, stream, kind, event_id, event_type, version, expected_version, topic, partition, "offset", detected_at)
    select projection, stream, kind, event_id, event_type, version, expected_version, topic, partition, "offset", detected_at
    from ${sql.id(shadow, 'event_conflicts')} where projection = ${projection} order by id`.execute(tx)
  await sql`insert into ${sql.id(live, 'projection_checkpoints')} as c (projection, topic, partition, next_offset, updated_at)
    select projection, topic, partition, next_offset, now() from ${sql.id(shadow, 'projection_checkpoints')} where projection = ${projection}
    on conflict (projection, topic, partition) do update set next_offset = greatest(c.next_offset, excluded.next_offset), updated_at = now()`.execute(tx)
  await sql`select pg_notify('agentfleet_projection', ${projection})`.execute(tx)
}
