import { sql } from 'kysely'
import type { AggregateType, StoredEvent } from '../../events/envelope.ts'
import type { SqlProjection } from '../projection.ts'

export type AggregateEventRow = {
  stream: string
  version: number
  aggregate_type: string
  aggregate_id: string
  event_id: string
  event_type: string
  /** the event's fields as decoded from Avro (JSON-text fields stay text, as in the log) */
  data: Readonly<Record<string, unknown>>
  meta: StoredEvent['meta']
  occurred_at: Date
  topic: string
  partition: number
  offset: number
}

/** Pure: the history row of one event. */
export const historyRow = (e: StoredEvent): AggregateEventRow => ({
  stream: `${e.aggregateType}:${e.meta.aggregateId}`,
  version: e.meta.version,
  aggregate_type: e.aggregateType,
  aggregate_id: e.meta.aggregateId,
  event_id: e.meta.eventId,
  event_type: e.type,
  data: e.data as Readonly<Record<string, unknown>>,
  meta: e.meta,
  occurred_at: new Date(e.meta.occurredAt),
  topic: e.position.topic,
  partition: e.position.partition,
  offset: Number(e.position.offset),
})

/**
 * aggregate_events: every event of every aggregate type, for event-history endpoints. The runner
 * applies each version once; `do nothing` on the key keeps even a manual re-apply harmless.
 */
export function createAggregateEventsProjection(aggregates: readonly AggregateType[]): SqlProjection {
  return {
    kind: 'sql',
    name: 'aggregate-events',
    aggregates,
    tables: ['aggregate_events'],
    async apply(tx, events) {
      // The whole batch as one JSON parameter: no per-value parameters to build, whatever its size.
      await sql`insert into aggregate_events select * from json_populate_recordset(null::aggregate_events, ${JSON.stringify(events.map(historyRow))}::json)
        on conflict (stream, version) do nothing`.execute(tx)
    },
    async appliedVersions(tx, streams) {
      const found = await sql<{
        stream: string
        version: number
      }>`select stream, max(version)::int as version from aggregate_events where stream = any(${streams}::text[]) group by stream`.execute(
        tx,
      )
      return new Map(found.rows.map((r) => [r.stream, r.version]))
    },
  }
}
