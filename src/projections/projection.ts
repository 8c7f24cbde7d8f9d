import type { Transaction } from 'kysely'
import type { Database } from '../database/schema.ts'
import type { AggregateType, StoredEvent } from '../events/envelope.ts'

/**
 * A projection whose read model has one row per key: `project` is pure — the previous row (or
 * undefined) and one event in, the next row out (undefined deletes). The runner loads the rows of
 * a batch in one query, folds every event of a row in memory and writes each row once.
 * The row's `version` column holds the last version applied to it, so a replay to this one
 * projection is gated by its own rows.
 */
export type RowProjection<T extends keyof Database & string, R extends Record<string, unknown>> = Readonly<{
  kind: 'row'
  name: string
  aggregates: readonly AggregateType[]
  table: T
  key: keyof R & string
  /** the row key of an event */
  keyOf: (event: StoredEvent) => string
  project: (row: R | undefined, event: StoredEvent) => R | undefined
  /** rows exist for some streams only (or vanish): the rows cannot gate a replay, so it is rebuilt instead */
  sparse?: boolean
}>

/** A projection that writes arbitrary (set-based) SQL for each batch of already version-checked events. */
export type SqlProjection = Readonly<{
  kind: 'sql'
  name: string
  aggregates: readonly AggregateType[]
  /** every table the projection writes: a rebuild builds them in a shadow schema and swaps them in */
  tables: readonly (keyof Database & string)[]
  apply: (tx: Transaction<Database>, events: readonly StoredEvent[]) => Promise<void>
  /**
   * The last version of each stream this projection applied, when its tables tell (replay to this
   * one projection is then gated by them); projections that only keep aggregates are rebuilt instead.
   */
  appliedVersions?: (tx: Transaction<Database>, streams: readonly string[]) => Promise<ReadonlyMap<string, number>>
}>

// biome-ignore lint/suspicious/noExplicitAny: the row type is erased at the registry level
export type AnyRowProjection = RowProjection<keyof Database & string, any>
export type Projection = AnyRowProjection | SqlProjection

/** The read-model tables a projection owns. */
export const ownedTables = (p: Projection): readonly (keyof Database & string)[] => (p.kind === 'row' ? [p.table] : p.tables)

/** The events of a batch this projection reads. */
export const eventsFor = (p: Projection, events: readonly StoredEvent[]): readonly StoredEvent[] =>
  events.filter((e) => p.aggregates.includes(e.aggregateType))

export const streamOf = (e: StoredEvent): string => `${e.aggregateType}:${e.meta.aggregateId}`
