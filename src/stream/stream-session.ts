import type { Logger } from '../infra/logger.ts'
import type { PositionedEvent, EventTail } from './event-tail.ts'
import { matches, needsAttributes, type StreamFilter } from './stream-filter.ts'
import { withJsonFields } from './json-fields.ts'
import { encodePosition, reaches, slotsOf, type Position } from './stream-position.ts'

export type StreamFrame = Readonly<{ id: string; event: string; data: string }>

/** What a session writes to; SSE implements it, another transport could too. */
export type StreamTransport = Readonly<{
  send: (frame: StreamFrame) => Promise<void>
  /** a comment line; with `id` the client's resume position moves without an event */
  comment: (text: string, id?: string) => Promise<void>
  /** drops the connection when the client does not even read the final frame */
  abort: () => void
}>

export type CatchUp = (
  from: readonly number[],
  topics: readonly string[],
  onBatch: (events: readonly PositionedEvent[]) => Promise<void>,
) => Promise<{ stop: () => Promise<void> }>

export type StreamSessionDeps = Readonly<{
  tail: EventTail
  filter: StreamFilter
  /** the position to resume from (decoded Last-Event-ID); live from now when absent */
  from?: Position
  bufferEvents: number
  heartbeatMs: number
  catchUp: CatchUp
  logger: Logger
  /** longest wait for a client to read the final overflow frame before the connection is dropped */
  finalWriteMs?: number
  onOverflow?: () => void
}>

export type SessionEnd = 'closed' | 'overflow'

export const eventView = (e: PositionedEvent['event']) => ({
  type: e.type,
  aggregateType: e.aggregateType,
  aggregateId: e.meta.aggregateId,
  version: e.meta.version,
  occurredAt: new Date(e.meta.occurredAt).toISOString(),
  data: withJsonFields(e.data as Record<string, unknown>),
  meta: e.meta,
})

type Item = { after: Position; e: PositionedEvent }

/**
 * One client's stream. Every event is accepted at most once (`cursor`: next offset per slot,
 * so duplicates from the catch-up/live overlap are dropped) and each frame's id is the cursor
 * just after it, so a reconnect with that id resumes with nothing missed or repeated.
 * A resuming client first reads history until it has reached the tail's position, then joins
 * the tail in the same tick. The live queue is bounded: when the client cannot keep up it gets
 * a final `overflow` frame carrying the id to resume from, and the stream ends.
 */
export async function runStreamSession(deps: StreamSessionDeps, transport: StreamTransport, signal: AbortSignal): Promise<SessionEnd> {
  const { tail, filter } = deps
  const layout = tail.layout
  const relevantSlots = slotsOf(layout, filter.aggregateTypes)
  const relevant = new Set(relevantSlots)
  const wantAttributes = needsAttributes(filter)
  const queue: Item[] = []
  const roomWaiters: (() => void)[] = []
  let cursor: Position
  let live: { unsubscribe: () => void } | undefined
  let reader: { stop: () => Promise<void> } | undefined
  let overflowed = false
  let notify: (() => void) | undefined
  const wake = () => {
    const n = notify
    notify = undefined
    n?.()
  }

  const offer = (e: PositionedEvent): void => {
    if (overflowed || e.offset < cursor[e.slot]!) return
    cursor[e.slot] = e.offset + 1
    if (!matches(filter, e.event, e.attributes)) return
    queue.push({ after: cursor.slice(), e })
    if (live && queue.length > deps.bufferEvents) {
      overflowed = true
      live.unsubscribe()
      deps.onOverflow?.()
    }
    wake()
  }

  const trySwitch = (): boolean => {
    if (live) return true
    const end = tail.position()
    if (!reaches(cursor, end, relevantSlots)) return false
    // Topics the filter excludes hold nothing for this client: their position jumps to the tail's.
    for (let s = 0; s < layout.size; s++) if (!relevant.has(s)) cursor[s] = Math.max(cursor[s] ?? 0, end[s] ?? 0)
    live = tail.subscribe(offer, { attributes: wantAttributes })
    const r = reader
    reader = undefined
    void r?.stop()
    wake()
    return true
  }

  let written: Position
  let timer: NodeJS.Timeout | undefined
  if (deps.from) {
    cursor = deps.from.slice()
  } else {
    const subscription = tail.subscribe(offer, { attributes: wantAttributes })
    live = subscription
    cursor = subscription.at
  }
  written = cursor.slice()
  const onAbort = () => wake()
  signal.addEventListener('abort', onAbort)
  try {
    await transport.comment('ready', encodePosition(layout, written))
    if (!trySwitch()) {
      const topics = layout.topics.filter((t) => !filter.aggregateTypes || filter.aggregateTypes.has(t.aggregate)).map((t) => t.topic)
      reader = await deps.catchUp(cursor, topics, async (events) => {
        while (!live && !signal.aborted && queue.length >= Math.max(1, deps.bufferEvents / 2)) {
          await new Promise<void>((resolve) => {
            roomWaiters.push(resolve)
          })
        }
        if (live || signal.aborted) return
        for (const e of events) offer(e)
        trySwitch()
      })
      if (live) void reader.stop()
      // The tail may pass the reader while the reader is idle at the end of the log.
      timer = setInterval(trySwitch, 100)
    }

    let lastWrite = Date.now()
    for (;;) {
      if (signal.aborted) return 'closed'
      if (overflowed) {
        queue.length = 0
        const id = encodePosition(layout, written)
        const final = transport.send({
          id,
          event: 'overflow',
          data: JSON.stringify({
            reason: 'the client did not keep up with the stream; reconnect with this id to catch up',
            lastEventId: id,
          }),
        })
        const settled = await Promise.race([
          final.then(() => true),
          new Promise<false>((r) => setTimeout(r, deps.finalWriteMs ?? 30_000, false).unref()),
        ])
        if (!settled) transport.abort()
        deps.logger.info({ buffered: deps.bufferEvents }, 'stream client overflowed; told to resume')
        return 'overflow'
      }
      const item = queue.shift()
      if (item) {
        if (queue.length < deps.bufferEvents / 2) releaseRoom()
        await transport.send({
          id: encodePosition(layout, item.after),
          event: item.e.event.type,
          data: JSON.stringify(eventView(item.e.event)),
        })
        written = item.after
        lastWrite = Date.now()
        continue
      }
      releaseRoom()
      const idle = await new Promise<boolean>((resolve) => {
        const t = setTimeout(
          () => {
            notify = undefined
            resolve(true)
          },
          Math.max(0, deps.heartbeatMs - (Date.now() - lastWrite)),
        )
        notify = () => {
          clearTimeout(t)
          resolve(false)
        }
      })
      if (idle && !signal.aborted && queue.length === 0 && !overflowed) {
        // Nothing is queued: everything up to the cursor was sent or filtered out.
        written = cursor.slice()
        await transport.comment('heartbeat', encodePosition(layout, written))
        lastWrite = Date.now()
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort)
    clearInterval(timer)
    live?.unsubscribe()
    releaseRoom()
    await reader?.stop()
  }

  function releaseRoom(): void {
    for (const resolve of roomWaiters.splice(0)) resolve()
  }
}
