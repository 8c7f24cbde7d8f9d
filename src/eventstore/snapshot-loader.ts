import { sql } from 'kysely'
import type { Db } from '../database/schema.ts'
import type { AggregateType } from '../events/envelope.ts'
import { eventTopic } from '../events/topics.ts'

export type LoggedState = Readonly<{ version: number; state: unknown; offset: number | undefined }>

/**
 * Where a read from the log can start for an aggregate Redis no longer caches: the snapshot the
 * read side folded (Postgres `aggregate_snapshots`, with the offset of its last event), or — when
 * it has none — the snapshot group's checkpoint in that partition (nothing of the aggregate lies
 * before it). Both come from one statement, so they are one consistent snapshot: read apart, a
 * projector commit in between would move the checkpoint past events whose row was not seen.
 * The store folds the rest of the partition on top, so a lagging or stopped projector only makes
 * the read longer, never wrong.
 */
export function createSnapshotLoader(deps: {
  db: Db
  topicPrefix: string
  snapshotsGroup: string
  partitionOf: (aggregate: AggregateType, id: string) => number
}) {
  return async (aggregate: AggregateType, id: string): Promise<LoggedState | undefined> => {
    const { rows } = await sql<{ checkpoint: number | null; version: number | null; state: unknown; offset: number | null }>`
      select (select next_offset from projector_checkpoints
                where consumer = ${deps.snapshotsGroup} and topic = ${eventTopic(deps.topicPrefix, aggregate)} and partition = ${deps.partitionOf(aggregate, id)}) as checkpoint,
             s.version, s.state, s."offset"
      from (select 1) as one left join aggregate_snapshots s on s.stream = ${`${aggregate}:${id}`}`.execute(deps.db)
    const r = rows[0]
    if (r?.version != null && r.offset != null && r.offset >= 0) return { version: r.version, state: r.state, offset: Number(r.offset) }
    return r?.checkpoint != null && Number(r.checkpoint) > 0
      ? { version: 0, state: undefined, offset: Number(r.checkpoint) - 1 }
      : undefined
  }
}
