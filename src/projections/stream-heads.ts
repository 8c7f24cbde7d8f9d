import { sql, type Transaction } from 'kysely'
import type { Database } from '../database/schema.ts'
import type { StreamVersion } from './version-gate.ts'

/** The heads of these streams that are not in `known`, from the group's table. */
export async function loadStreamHeads(
  tx: Transaction<Database>,
  consumer: string,
  streams: readonly string[],
): Promise<Map<string, StreamVersion>> {
  if (streams.length === 0) return new Map()
  const found = await sql<{ stream: string; version: number; event_id: string }>`
    select stream, version, event_id from projector_stream_heads where consumer = ${consumer} and stream = any(${streams}::text[])`.execute(
    tx,
  )
  return new Map(found.rows.map((r) => [r.stream, { version: r.version, eventId: r.event_id }]))
}

export async function writeStreamHeads(
  tx: Transaction<Database>,
  consumer: string,
  heads: ReadonlyMap<string, StreamVersion>,
): Promise<void> {
  if (heads.size === 0) return
  const streams = [...heads.keys()]
  const values = [...heads.values()]
  await sql`insert into projector_stream_heads as h (consumer, stream, version, event_id)
    select ${consumer}, * from unnest(${streams}::text[], ${values.map((v) => v.version)}::int[], ${values.map((v) => v.eventId)}::text[])
    on conflict (consumer, stream) do update set version = excluded.version, event_id = excluded.event_id`.execute(tx)
}

/**
 * The heads a runner has seen, so that only streams new to it are looked up. It belongs to the
 * partitions the runner owns: dropped whenever the assignment changes, updated only after commit.
 */
export function createHeadsCache(limit = 200_000) {
  // limit Infinity: the cache is the only record of the heads (a rebuild's in-memory bookkeeping).
  let heads = new Map<string, StreamVersion>()
  return {
    get: (stream: string) => heads.get(stream),
    /** after a commit: what the transaction wrote */
    remember(written: ReadonlyMap<string, StreamVersion>): void {
      if (heads.size + written.size > limit) heads = new Map()
      for (const [s, v] of written) heads.set(s, v)
    },
    clear(): void {
      heads = new Map()
    },
  }
}

export type HeadsCache = ReturnType<typeof createHeadsCache>
