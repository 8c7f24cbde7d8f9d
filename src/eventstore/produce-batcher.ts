import { UnknownOutcomeError } from '../errors.ts'
import type { Delivered } from './event-store.ts'
import { AppendNotSentError } from './event-log.ts'

/** A record as the batcher sends it: its partition is chosen by the caller (the aggregate's). */
export type BatchedRecord = Readonly<{ topic: string; partition: number }>

/** Base offset per topic-partition of one produce request, as the broker answered. */
export type PartitionOffset = Readonly<{ topic: string; partition: number; offset: bigint | string | number }>

type Pending<R> = { records: readonly R[]; sendBy: number; resolve: (d: Delivered[]) => void; reject: (e: unknown) => void }

/**
 * Concurrent appends share produce requests: while `inFlight` requests are out, new records queue
 * and go out together as soon as one returns (group commit). Requests in flight together never
 * hold two appends of one aggregate (its write slot is held until the first commits), so the
 * order between them does not matter. A record whose `sendBy` (performance.now() time) has passed by the time its request
 * would go out is never sent: it fails with `append.not-sent`, so its writer knows nothing landed.
 */
export function createProduceBatcher<R extends BatchedRecord>(deps: {
  /** sends one request; `sendBy` is the earliest deadline of its records (none may be written after it) */
  send: (records: readonly R[], sendBy: number) => Promise<readonly PartitionOffset[]>
  maxBatchRecords?: number
  inFlight?: number
  now?: () => number
}) {
  const maxBatch = deps.maxBatchRecords ?? 2_000
  const maxInFlight = deps.inFlight ?? 3
  const now = deps.now ?? (() => performance.now())
  let queue: Pending<R>[] = []
  let sending = 0

  const flush = async (): Promise<void> => {
    if (sending >= maxInFlight || queue.length === 0) return
    sending++
    const at = now()
    const late = queue.filter((p) => p.sendBy < at)
    queue = queue.filter((p) => p.sendBy >= at)
    for (const p of late)
      p.reject(new AppendNotSentError(`the append could not be sent within its deadline (Kafka busy or unreachable); nothing was written`))
    let taken = 0
    let i = 0
    while (i < queue.length && (taken === 0 || taken + queue[i]!.records.length <= maxBatch)) taken += queue[i++]!.records.length
    const batch = queue.slice(0, i)
    queue = queue.slice(i)
    try {
      if (batch.length > 0)
        settle(
          batch,
          await deps.send(
            batch.flatMap((p) => p.records),
            Math.min(...batch.map((p) => p.sendBy)),
          ),
        )
    } catch (error) {
      // Sent, and then it failed: the records may or may not be in the log (unless the sender knows none left).
      for (const p of batch)
        if (error instanceof AppendNotSentError) p.reject(error)
        else
          p.reject(
            new UnknownOutcomeError(
              `append failed after it was sent: ${(error as Error).message}; the outcome is reconciled from the log`,
              error,
            ),
          )
    } finally {
      sending--
      if (queue.length > 0) void flush()
    }
  }

  return {
    send(records: readonly R[], sendBy: number): Promise<Delivered[]> {
      return new Promise((resolve, reject) => {
        queue.push({ records, sendBy, resolve, reject })
        void flush()
      })
    },
  }
}

export type ProduceBatcher<R extends BatchedRecord> = ReturnType<typeof createProduceBatcher<R>>

/**
 * The broker reports one base offset per topic-partition; records keep their request order within
 * a partition, so each record's offset is the base plus its rank there.
 */
function settle<R extends BatchedRecord>(batch: readonly Pending<R>[], offsets: readonly PartitionOffset[]): void {
  const next = new Map(offsets.map((o) => [`${o.topic}:${o.partition}`, BigInt(o.offset)]))
  for (const p of batch) {
    p.resolve(
      p.records.map((r) => {
        const key = `${r.topic}:${r.partition}`
        const offset = next.get(key) ?? -1n
        if (offset >= 0n) next.set(key, offset + 1n)
        return { topic: r.topic, partition: r.partition, offset: offset.toString() }
      }),
    )
  }
}
