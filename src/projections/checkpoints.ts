import { sql, type Transaction } from 'kysely'
import type { Database, Db } from '../database/schema.ts'

export type TopicPartition = Readonly<{ topic: string; partition: number }>

export const partitionKey = (topic: string, partition: number): string => `${topic}:${partition}`

/**
 * Locks a projector group's checkpoint rows of these partitions and returns their next offsets.
 * Missing rows are created at 0 first, so that two runners overlapping during a rebalance (or a
 * rebuild's swap) always serialize on a row lock and the second skips what the first applied.
 */
export async function lockCheckpoints(
  tx: Transaction<Database>,
  consumer: string,
  partitions: readonly TopicPartition[],
): Promise<Map<string, number>> {
  const read = async () =>
    new Map(
      (
        await sql<{ topic: string; partition: number; next_offset: number }>`
    select c.topic, c.partition, c.next_offset from projector_checkpoints c
    join unnest(${partitions.map((p) => p.topic)}::text[], ${partitions.map((p) => p.partition)}::int[]) as w(topic, partition) using (topic, partition)
    where c.consumer = ${consumer} order by c.topic, c.partition for update of c`.execute(tx)
      ).rows.map((r) => [partitionKey(r.topic, r.partition), Number(r.next_offset)]),
    )
  let found = await read()
  const missing = partitions.filter((p) => !found.has(partitionKey(p.topic, p.partition)))
  if (missing.length > 0) {
    await insertCheckpoints(tx, consumer, missing)
    found = await read()
  }
  return found
}

async function insertCheckpoints(tx: Transaction<Database> | Db, consumer: string, partitions: readonly TopicPartition[]): Promise<void> {
  await sql`insert into projector_checkpoints (consumer, topic, partition, next_offset)
    select ${consumer}, t, p, 0 from unnest(${partitions.map((p) => p.topic)}::text[], ${partitions.map((p) => p.partition)}::int[]) as w(t, p)
    on conflict do nothing`.execute(tx)
}

/** Creates the checkpoint rows at 0 where missing (a rebuild locks them before the live runner has written any). */
export async function ensureCheckpointRows(db: Db, consumer: string, partitions: readonly TopicPartition[]): Promise<void> {
  if (partitions.length > 0) await insertCheckpoints(db, consumer, partitions)
}

/** Moves the checkpoints forward (never back) in one statement. */
export async function writeCheckpoints(
  tx: Transaction<Database>,
  consumer: string,
  next: ReadonlyMap<string, TopicPartition & { offset: number }>,
): Promise<void> {
  if (next.size === 0) return
  const rows = [...next.values()]
  await sql`insert into projector_checkpoints as c (consumer, topic, partition, next_offset, updated_at)
    select ${consumer}, t, p, o, now() from unnest(${rows.map((r) => r.topic)}::text[], ${rows.map((r) => r.partition)}::int[], ${rows.map((r) => r.offset)}::bigint[]) as w(t, p, o)
    on conflict (consumer, topic, partition) do update set next_offset = greatest(c.next_offset, excluded.next_offset), updated_at = now()`.execute(
    tx,
  )
}

/** The checkpoints of one projector group (all its partitions). */
export async function readCheckpoints(
  db: Db | Transaction<Database>,
  consumer: string,
): Promise<{ topic: string; partition: number; next_offset: number }[]> {
  return db
    .selectFrom('projector_checkpoints')
    .select(['topic', 'partition', 'next_offset'])
    .where('consumer', '=', consumer)
    .orderBy('topic')
    .orderBy('partition')
    .execute()
}
