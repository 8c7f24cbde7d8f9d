import { waitFor } from './harness.ts'

export type SseMessage = Readonly<{ id: string; event: string; data: string }>

export type SseClient = Readonly<{
  status: number
  headers: Headers
  /** every dispatched message, in order (events and `overflow`) */
  messages: SseMessage[]
  /** the resume position, as an EventSource keeps it (also moved by id-only heartbeats) */
  lastEventId: () => string
  comments: string[]
  ended: Promise<void>
  isEnded: () => boolean
  /** stops reading the body: the server then sees a slow client (TCP back-pressure) */
  pause: () => void
  resume: () => void
  close: () => void
  waitForMessages: (n: number, timeoutMs?: number) => Promise<SseMessage[]>
}>

/**
 * A Server-Sent Events client over fetch() that parses the stream as the WHATWG EventSource
 * does (fields, comments, multi-line data, id-only messages that only move the last event id).
 */
export async function openSse(url: string, options: { lastEventId?: string } = {}): Promise<SseClient> {
  const abort = new AbortController()
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}) },
    signal: abort.signal,
  })
  const messages: SseMessage[] = []
  const comments: string[] = []
  const lastEventId = options.lastEventId ?? ''
  let ended = false
  let paused: { promise: Promise<void>; resolve: () => void } | undefined

  const parser = createSseParser(lastEventId, messages, comments)
  const line = parser.line
  const reading = (async () => {
    if (!res.body || res.status !== 200) return
    const reader = res.body.getReader()
    const decoder = new TextDecoder()
    let pending = ''
    try {
      for (;;) {
        if (paused) await paused.promise
        const { done, value } = await reader.read()
        if (done) break
        pending += decoder.decode(value, { stream: true })
        const lines = pending.split(/\r\n|\r|\n/)
        pending = lines.pop()!
        for (const l of lines) line(l)
      }
    } catch {
      // A dropped connection ends the stream, as for an EventSource (which would reconnect).
    } finally {
      ended = true
    }
  })()

  return {
    status: res.status,
    headers: res.headers,
    messages,
    comments,
    lastEventId: () => parser.lastEventId(),
    ended: reading,
    isEnded: () => ended,
    pause: () => {
      if (paused) return
      let resolve!: () => void
      const promise = new Promise<void>((r) => {
        resolve = r
      })
      paused = { promise, resolve }
    },
    resume: () => {
      const p = paused
      paused = undefined
      p?.resolve()
    },
    close: () => abort.abort(),
    waitForMessages: (n, timeoutMs = 20_000) =>
      waitFor(async () => messages.length >= n && messages, `${n} SSE messages (have ${messages.length})`, timeoutMs),
  }
}

/** The EventSource parsing rules, line by line. */
export function createSseParser(initialId: string, messages: SseMessage[], comments: string[]) {
  let lastEventId = initialId
  let idBuffer = lastEventId
  let eventType = ''
  let data: string[] = []
  const line = (l: string) => {
    if (l === '') {
      lastEventId = idBuffer
      if (data.length > 0) messages.push({ id: lastEventId, event: eventType || 'message', data: data.join('\n') })
      data = []
      eventType = ''
      return
    }
    if (l.startsWith(':')) {
      comments.push(l.slice(1).trim())
      return
    }
    const colon = l.indexOf(':')
    const field = colon < 0 ? l : l.slice(0, colon)
    const value = colon < 0 ? '' : l.slice(colon + 1).replace(/^ /, '')
    if (field === 'id' && !value.includes('\0')) idBuffer = value
    else if (field === 'event') eventType = value
    else if (field === 'data') data.push(value)
  }

  return { line, lastEventId: () => lastEventId }
}

export type StreamedEvent = Readonly<{
  type: string
  aggregateType: string
  aggregateId: string
  version: number
  occurredAt: string
  data: Record<string, unknown>
  meta: Record<string, unknown>
}>

export const eventsOf = (messages: readonly SseMessage[]): StreamedEvent[] =>
  messages.filter((m) => m.event !== 'overflow').map((m) => JSON.parse(m.data) as StreamedEvent)

/**
 * The same client over node:http, whose `pause()` stops reading the socket itself, so the
 * kernel's receive window closes and the server feels the back-pressure at once.
 */
export async function openSseOverHttp(url: string, options: { lastEventId?: string } = {}): Promise<SseClient> {
  const { request } = await import('node:http')
  const messages: SseMessage[] = []
  const comments: string[] = []
  const parser = createSseParser(options.lastEventId ?? '', messages, comments)
  let ended = false
  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
  }
  const req = request(url, { headers })
  const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    req.once('response', resolve)
    req.once('error', reject)
    req.end()
  })
  let pending = ''
  const ended$ = new Promise<void>((resolve) => {
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split(/\r\n|\r|\n/)
      pending = lines.pop()!
      for (const l of lines) parser.line(l)
    })
    const done = () => {
      ended = true
      resolve()
    }
    res.once('end', done)
    res.once('close', done)
    res.once('error', done)
  })
  return {
    status: res.statusCode ?? 0,
    headers: new Headers(Object.entries(res.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)] as [string, string]]))),
    messages,
    comments,
    lastEventId: () => parser.lastEventId(),
    ended: ended$,
    isEnded: () => ended,
    pause: () => {
      res.pause()
    },
    resume: () => {
      res.resume()
    },
    close: () => {
      req.destroy()
    },
    waitForMessages: (n, timeoutMs = 20_000) =>
      waitFor(async () => messages.length >= n && messages, `${n} SSE messages (have ${messages.length})`, timeoutMs),
  }
}
