import type { AggregateType, StoredEvent } from '../events/envelope.ts'
import { AppError } from '../errors.ts'
import type { Delivered } from './event-store.ts'

/** An encoded event on its way to its aggregate's partition. */
export type LogRecord = Readonly<{
  topic: string
  partition: number
  key: string
  value: Buffer
  headers: Readonly<Record<string, string>>
  timestamp: number
}>

/**
 * The Kafka side of the event store: appends (idempotent producer, acks=all, concurrent appends
 * sharing requests) and reads one aggregate's records back from its partition.
 */
export type EventLog = Readonly<{
  /**
   * Appends records in order. A record still waiting to be sent when `sendBy` (a `performance.now()`
   * time) has passed is dropped and the append fails with `append.not-sent` (nothing written). Any
   * failure once the send began is an unknown outcome (`append.outcome-unknown`): the records may
   * or may not be in the log.
   */
  append(records: readonly LogRecord[], sendBy: number): Promise<Delivered[]>
  /** The events of one aggregate in its partition from offset `from` to the log's current end, in log order. */
  readAggregate(aggregate: AggregateType, id: string, from: number): Promise<StoredEvent[]>
  /** The partition an aggregate's events go to (the Java client's murmur2 of the id). */
  partitionOf(aggregate: AggregateType, id: string): number
  close(): Promise<void>
}>

/** Nothing of the append was written: safe to retry as is. */
export class AppendNotSentError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('append.not-sent', message, { retriable: true, cause })
  }
}
