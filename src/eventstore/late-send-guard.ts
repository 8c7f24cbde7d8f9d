import { subscribe, unsubscribe } from 'node:diagnostics_channel'

/** @platformatic/kafka publishes each request here synchronously, just before it writes it to the socket. */
const REQUEST_START = 'tracing:plt:kafka:connections:api:start'
const PRODUCE = 0

type RequestStart = { apiKey?: number; connection?: { ownerId?: number; close(): unknown } }
type Batch = { sendBy: number; written: boolean }

/**
 * Kafka has no conditional append, so the write slot's deadline is only a fence if no produce
 * request leaves the process after it. Between the batcher's deadline check and the socket lie
 * the client's metadata lookups, connection queues and retries, and a process paused anywhere in
 * them (SIGSTOP, a long GC, a saturated box) would send its records late, after another writer
 * reconciled the slot from the log: two events with one version.
 *
 * The guard checks at the last moment instead: when the client is about to write a Produce
 * request of one producer (`ownerId`) and the earliest deadline of the batches it is sending has
 * passed, it closes that connection, and the client fails the request instead of writing it.
 * It also knows whether any Produce request was written while a batch was out: a batch during
 * which none was is certainly not in the log.
 */
export function createLateSendGuard(ownerId: number, now: () => number = () => performance.now()) {
  const open = new Set<Batch>()

  const onRequest = (message: unknown): void => {
    const request = message as RequestStart
    if (request.apiKey !== PRODUCE || request.connection?.ownerId !== ownerId || open.size === 0) return
    let earliest = Number.POSITIVE_INFINITY
    for (const b of open) earliest = Math.min(earliest, b.sendBy)
    if (now() > earliest) {
      void request.connection.close()
      return
    }
    // Which batch this request carries is not known here: every open batch may have been written.
    for (const b of open) b.written = true
  }
  subscribe(REQUEST_START, onRequest)

  return {
    /** Runs one batch's send; `sendBy` (a `now()` time) is the last moment any of it may be written. */
    async send<T>(
      sendBy: number,
      produce: () => Promise<T>,
    ): Promise<{ ok: true; value: T } | { ok: false; error: unknown; written: boolean }> {
      const batch: Batch = { sendBy, written: false }
      open.add(batch)
      try {
        return { ok: true, value: await produce() }
      } catch (error) {
        return { ok: false, error, written: batch.written }
      } finally {
        open.delete(batch)
      }
    },
    close: (): void => {
      unsubscribe(REQUEST_START, onRequest)
    },
  }
}

export type LateSendGuard = ReturnType<typeof createLateSendGuard>
