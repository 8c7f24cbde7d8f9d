import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { parsePromText, sampleValue } from './support/prom-text.ts'
import { eventsOf, openSse, openSseOverHttp, type SseClient } from './support/sse-client.ts'

describe('live stream back-pressure', () => {
  let h: Harness
  const clients: SseClient[] = []
  beforeAll(async () => {
    h = await startHarness({ pools: ['big'], env: { AGENTFLEET_STREAM_BUFFER_EVENTS: '4', AGENTFLEET_METRICS_CACHE_MS: '50' } })
  })
  afterAll(async () => {
    for (const c of clients) c.close()
    await h?.stop()
  })

  it('a client that stops reading gets a final overflow with the id to resume from, and resumes without loss or repeats', async () => {
    const slow = await openSseOverHttp(`${h.baseUrl}/api/v1/stream?aggregateType=task`)
    clients.push(slow)
    await waitFor(async () => slow.comments.includes('ready'), 'the stream to be ready')
    slow.pause()

    // Large events fill the socket buffers quickly; then the server-side queue (4 events) overflows.
    const blob = 'x'.repeat(300_000)
    const ids: string[] = []
    const overflows = async () =>
      sampleValue(parsePromText(await (await fetch(`${h.baseUrl}/metrics`)).text()).samples, 'agentfleet_stream_overflows_total')
    for (let i = 0; i < 60 && (await overflows()) === 0; i++) {
      const res = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: `big ${i}`, pool: 'big', payload: { blob } })
      expect(res.status).toBe(201)
      ids.push(((await res.json()) as { id: string }).id)
    }
    await waitFor(async () => (await overflows()) === 1, 'the slow client to overflow')
    // Memory stays bounded: the process did not keep the whole backlog for the client.
    slow.resume()
    await slow.ended
    const last = slow.messages.at(-1)!
    expect(last.event).toBe('overflow')
    expect(JSON.parse(last.data)).toMatchObject({ lastEventId: last.id })
    const before = eventsOf(slow.messages)
    // Each task is two events (TaskCreated, TaskQueued): the client saw less than all of them.
    expect(before.length).toBeLessThan(2 * ids.length)

    // More events while the client reconnects.
    for (let i = 0; i < 3; i++) {
      const res = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: `after ${i}`, pool: 'big' })
      expect(res.status).toBe(201)
      ids.push(((await res.json()) as { id: string }).id)
    }
    const again = await openSse(`${h.baseUrl}/api/v1/stream?aggregateType=task`, { lastEventId: last.id })
    clients.push(again)
    await again.waitForMessages(2 * ids.length - before.length, 30_000)
    const received = [...before, ...eventsOf(again.messages)]
    // Every event exactly once, and per task in version order across the reconnect.
    expect(received.map((e) => `${e.aggregateId}:${e.version}:${e.type}`).sort()).toEqual(
      ids.flatMap((id) => [`${id}:1:TaskCreated`, `${id}:2:TaskQueued`]).sort(),
    )
    for (const id of ids) expect(received.filter((e) => e.aggregateId === id).map((e) => e.version)).toEqual([1, 2])
    again.close()
  })
})
