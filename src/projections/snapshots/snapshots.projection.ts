import type { AnyDecider } from '../../commands/decider.ts'
import type { AggregateType, StoredEvent } from '../../events/envelope.ts'
import type { RowProjection } from '../projection.ts'

export type SnapshotRow = { stream: string; aggregate_type: string; aggregate_id: string; version: number; state: unknown; offset: number }

export type { AnyDecider }

/**
 * Folds every aggregate with its own decider: the log-built copy of the Redis snapshots, used
 * to repair the cache and to load aggregates whose snapshot is missing.
 */
export function createSnapshotsProjection(
  deciders: Readonly<Record<AggregateType, AnyDecider>>,
): RowProjection<'aggregate_snapshots', SnapshotRow> {
  return {
    kind: 'row',
    name: 'snapshots',
    aggregates: Object.keys(deciders) as AggregateType[],
    table: 'aggregate_snapshots',
    key: 'stream',
    keyOf: (e) => `${e.aggregateType}:${e.meta.aggregateId}`,
    project(row, event: StoredEvent) {
      const decider = deciders[event.aggregateType]
      return {
        stream: `${event.aggregateType}:${event.meta.aggregateId}`,
        aggregate_type: event.aggregateType,
        aggregate_id: event.meta.aggregateId,
        version: event.meta.version,
        offset: Number(event.position.offset),
        state: decider.evolve(row ? row.state : decider.initialState(), { type: event.type, data: event.data }, event.meta),
      }
    },
  }
}
