import type { Transaction } from 'kysely'
import type { AggregateType, StoredEvent } from '../events/envelope.ts'
import type { Database } from '../database/schema.ts'

/**
 * A projection whose read model has one row per aggregate: `project` is pure — the previous row
 * (or undefined) and one event in, the next row out (undefined deletes). The runner loads the
 * rows of a batch in one query and writes them back in one upsert.
 */
export type RowProjection<T extends keyof Database & string, R extends Record<string, unknown>> = Readonly<{
  kind: 'row'
  name: string
  aggregates: readonly AggregateType[]
  table: T
  key: keyof R & string
  /** jsonb columns, sent as JSON text */
  jsonColumns: readonly (keyof R & string)[]
  /** the row key of an event */
  keyOf: (event: StoredEvent) => string
  project: (row: R | undefined, event: StoredEvent) => R | undefined
}>

/** A projection that writes arbitrary SQL for each batch of already version-checked events. */
export type SqlProjection = Readonly<{
  kind: 'sql'
  name: string
  aggregates: readonly AggregateType[]
  /** every table the projection writes: a rebuild builds them in a shadow schema and swaps them in */
  tables: readonly (keyof Database & string)[]
  apply: (tx: Transaction<Database>, events: readonly StoredEvent[]) => Promise<void>
}>

// biome-ignore lint: the row type is erased at the registry level
export type AnyRowProjection = RowProjection<keyof Database & string, any>
export type Projection = AnyRowProjection | SqlProjection

/** The read-model tables a projection owns (besides its rows in the runner's own tables). */
export const ownedTables = (p: Projection): readonly (keyof Database & string)[] => (p.kind === 'row' ? [p.table] : p.tables)
