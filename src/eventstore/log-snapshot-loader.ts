import { setTimeout as sleep } from 'node:timers/promises'
import type { Admin } from 'kafkajs'
import { ConcurrencyError } from '../errors.ts'
import type { AggregateType } from '../events/envelope.ts'
import { eventTopic } from '../events/topics.ts'
import type { Db } from '../infra/postgres.ts'
import type { Snapshot } from './aggregate-lease.ts'
import { topicOffsets } from '../infra/topic-offsets.ts'


/**
 * Loads an aggregate whose Redis snapshot is missing from the log-built snapshot table, after
 * waiting until the snapshot projection has read its partition up to the current end of the
 * log — otherwise a decision could be taken on stale state.
 */
export function createLogSnapshotLoader(deps: { admin: Admin; db: Db; topicPrefix: string; partitionOf: (topic: string, key: string) => number; waitMs: number; snapshotsGroup: string }) {
  return async (aggregate: AggregateType, id: string): Promise<Snapshot<unknown> | undefined> => {
    const topic = eventTopic(deps.topicPrefix, aggregate)
    const partition = deps.partitionOf(topic, id)
    const offsets = await topicOffsets(deps.admin, topic)
    const end = Number(offsets.find((o) => o.partition === partition)?.high ?? 0)
    const deadline = Date.now() + deps.waitMs
    for (;;) {
      const cp = await deps.db.selectFrom('projector_checkpoints').select('next_offset')
        .where('consumer', '=', deps.snapshotsGroup).where('topic', '=', topic).where('partition', '=', partition).executeTakeFirst()
      if ((cp?.next_offset ?? 0) >= end) break
      if (Date.now() > deadline) throw new ConcurrencyError('snapshots.behind', `the snapshot projection is behind the log for ${aggregate} ${id}; is the projector running? retry shortly`)
      await sleep(20)
    }
    const row = await deps.db.selectFrom('aggregate_snapshots').select(['version', 'state'])
      .where('stream', '=', `${aggregate}:${id}`).executeTakeFirst()
    return row && { version: row.version, state: row.state }
  }
}
