import type { Db } from '../database/schema.ts'
import type { AggregateType } from '../events/envelope.ts'
import { eventTopic } from '../events/topics.ts'

export type LoggedState = Readonly<{ version: number; state: unknown; offset: number | undefined }>

/**
 * Where a read from the log can start for an aggregate Redis no longer caches: the snapshot the
 * read side folded (Postgres `aggregate_snapshots`, with the offset of its last event), or — when
 * it has none — the snapshot group's checkpoint in that partition (nothing of the aggregate lies
 * before it). The store folds the rest of the partition on top, so a lagging or stopped projector
 * only makes the read longer, never wrong.
 */
export function createSnapshotLoader(deps: { db: Db; topicPrefix: string; snapshotsGroup: string; partitionOf: (aggregate: AggregateType, id: string) => number }) {
  return async (aggregate: AggregateType, id: string): Promise<LoggedState | undefined> => {
    const row = await deps.db.selectFrom('aggregate_snapshots').select(['version', 'state', 'offset']).where('stream', '=', `${aggregate}:${id}`).executeTakeFirst()
    if (row && row.offset >= 0) return { version: row.version, state: row.state, offset: row.offset }
    const checkpoint = await deps.db.selectFrom('projector_checkpoints').select('next_offset')
      .where('consumer', '=', deps.snapshotsGroup).where('topic', '=', eventTopic(deps.topicPrefix, aggregate)).where('partition', '=', deps.partitionOf(aggregate, id))
      .executeTakeFirst()
    return checkpoint && checkpoint.next_offset > 0 ? { version: 0, state: undefined, offset: checkpoint.next_offset - 1 } : undefined
  }
}
