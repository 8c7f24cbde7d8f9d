import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { createLayout, encodePosition } from '../src/stream/stream-position.ts'
import { eventsOf, openSse, type SseClient, type StreamedEvent } from './support/sse-client.ts'

describe('live event stream (SSE) against the real stack', () => {
  let h: Harness
  const clients: SseClient[] = []
  beforeAll(async () => {
    h = await startHarness({
      pools: ['alpha', 'beat', 'beta', 'live', 'other', 'resume'],
      projects: ['proj-1'],
      env: { AGENTFLEET_STREAM_HEARTBEAT_MS: '300', AGENTFLEET_STREAM_IDLE_MS: '500' },
    })
  })
  afterAll(async () => {
    for (const c of clients) c.close()
    await h?.stop()
  })

  const open = async (query = '', lastEventId?: string) => {
    const c = await openSse(`${h.baseUrl}/api/v1/stream${query}`, { lastEventId })
    clients.push(c)
    expect(c.status).toBe(200)
    await waitFor(async () => c.comments.includes('ready'), 'the stream to be ready')
    return c
  }
  const createTask = async (body: Record<string, unknown>) => {
    const res = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: 't', ...body })
    expect(res.status).toBe(201)
    return ((await res.json()) as { id: string }).id
  }
  const progress = async (id: string, percent: number) => {
    expect((await postJson(`${h.baseUrl}/api/v1/tasks/${id}/progress`, { percent })).status).toBe(200)
  }
  const of = (events: readonly StreamedEvent[], ids: readonly string[]) => events.filter((e) => ids.includes(e.aggregateId))
  const summary = (events: readonly StreamedEvent[]) => events.map((e) => `${e.aggregateId}:${e.version}:${e.type}`)

  it('pushes events live with id, event type and the event as JSON', async () => {
    const c = await open()
    expect(c.headers.get('content-type')).toContain('text/event-stream')
    const id = await createTask({ pool: 'live', payload: { n: 1 } })
    await progress(id, 40)
    // Creating appends TaskCreated and TaskQueued in one command.
    const messages = await c.waitForMessages(3)
    expect(messages.map((m) => m.event)).toEqual(['TaskCreated', 'TaskQueued', 'TaskProgressReported'])
    for (const m of messages) expect(m.id).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(new Set(messages.map((m) => m.id)).size).toBe(3)
    const [created, queued, reported] = eventsOf(messages)
    expect(created).toMatchObject({
      type: 'TaskCreated',
      aggregateType: 'task',
      aggregateId: id,
      version: 1,
      // JSON documents arrive as JSON, not as text inside the JSON.
      data: { pool: 'live', title: 't', payload: { n: 1 }, metadata: {} },
    })
    expect(new Date(created!.occurredAt).getTime()).toBeGreaterThan(Date.now() - 60_000)
    expect(created!.meta).toMatchObject({ aggregateId: id, version: 1, actor: 'api' })
    expect(queued).toMatchObject({
      type: 'TaskQueued',
      aggregateType: 'task',
      aggregateId: id,
      version: 2,
      data: { pool: 'live', attempt: 1, reason: 'created' },
    })
    expect(queued!.meta).toMatchObject({ aggregateId: id, version: 2, actor: 'api' })
    expect(reported).toMatchObject({ type: 'TaskProgressReported', aggregateId: id, version: 3, data: { percent: 40 } })
    // Heartbeats are comments that carry the current position.
    await waitFor(async () => c.comments.includes('heartbeat'), 'a heartbeat')
    c.close()
  })

  it('reads the log only while clients are connected: the tail consumer starts with the first and leaves after the last', async () => {
    const tailGroups = async () =>
      (await h.services.admin.listGroups()).groups.filter((g) => g.groupId.startsWith(`${h.config.kafka.topicPrefix}.stream.`))
    const described = async () =>
      (await h.services.admin.describeGroups((await tailGroups()).map((g) => g.groupId))).groups.filter((g) => g.members.length > 0)
    await waitFor(async () => (await described()).length === 0, 'no tail consumer while nobody listens', 10_000)
    const c = await open()
    expect((await described()).length).toBe(1)
    c.close()
    await waitFor(async () => (await described()).length === 0, 'the tail consumer to leave after the idle time', 10_000)
  })

  it('resumes after a disconnect with Last-Event-ID: every missed event exactly once, in per-aggregate order', async () => {
    const a = await open()
    const t1 = await createTask({ pool: 'resume' })
    await progress(t1, 10)
    await a.waitForMessages(3)
    const seen = eventsOf(a.messages)
    const resumeFrom = a.messages[2]!.id
    a.close()
    await a.ended

    // While the client is away.
    await progress(t1, 20)
    await progress(t1, 30)
    const t2 = await createTask({ pool: 'resume' })
    await progress(t2, 50)
    const t3 = await createTask({ pool: 'other' })

    const b = await open('', resumeFrom)
    await b.waitForMessages(7)
    // And live again after catching up.
    await progress(t2, 60)
    await progress(t1, 40)
    await b.waitForMessages(9)
    const all = [...seen, ...eventsOf(b.messages)]
    const ids = [t1, t2, t3]
    expect(summary(of(all, ids)).sort()).toEqual(
      [
        `${t1}:1:TaskCreated`,
        `${t1}:2:TaskQueued`,
        `${t1}:3:TaskProgressReported`,
        `${t1}:4:TaskProgressReported`,
        `${t1}:5:TaskProgressReported`,
        `${t1}:6:TaskProgressReported`,
        `${t2}:1:TaskCreated`,
        `${t2}:2:TaskQueued`,
        `${t2}:3:TaskProgressReported`,
        `${t2}:4:TaskProgressReported`,
        `${t3}:1:TaskCreated`,
        `${t3}:2:TaskQueued`,
      ].sort(),
    )
    for (const id of ids) {
      const versions = of(all, [id]).map((e) => e.version)
      expect(versions).toEqual(versions.map((_, i) => i + 1))
    }
    b.close()
  })

  it('resumes from ?lastEventId= and from an id-only heartbeat position without repeating anything', async () => {
    const a = await open('?types=TaskProgressReported')
    const readyAt = a.lastEventId()
    const t = await createTask({ pool: 'beat' })
    // TaskCreated and TaskQueued are filtered out, yet the next heartbeat moves the resume position past them.
    await waitFor(async () => a.lastEventId() !== readyAt, 'a heartbeat position')
    expect(a.messages).toHaveLength(0)
    const resumeFrom = a.lastEventId()
    a.close()
    await progress(t, 70)
    const b = await open(`?lastEventId=${resumeFrom}`)
    const [m] = await b.waitForMessages(1)
    expect(JSON.parse(m!.data)).toMatchObject({ aggregateId: t, version: 3, type: 'TaskProgressReported' })
    // Nothing else arrives (TaskCreated and TaskQueued were before the heartbeat position).
    await waitFor(async () => b.comments.filter((c) => c === 'heartbeat').length >= 1, 'a heartbeat')
    expect(b.messages).toHaveLength(1)
    b.close()
  })

  it('filters by pool, project, aggregate id and event types (pool and project known from TaskCreated for later events)', async () => {
    const byPool = await open('?pool=alpha')
    const byTypes = await open('?types=TaskCancelled,TaskProgressReported&aggregateType=task')
    const byProject = await open('?projectId=proj-1')
    const a = await createTask({ pool: 'alpha' })
    const b = await createTask({ pool: 'beta', projectId: 'proj-1' })
    // The tail has passed b's creation (TaskCreated, TaskQueued) before the aggregate-id client subscribes.
    await byProject.waitForMessages(2)
    const byId = await open(`?aggregateId=${b}`)
    await progress(a, 5)
    await progress(b, 6)
    expect((await postJson(`${h.baseUrl}/api/v1/tasks/${a}/cancel`, { reason: 'enough' })).status).toBe(200)

    await byPool.waitForMessages(4)
    await byTypes.waitForMessages(3)
    await byProject.waitForMessages(3)
    await byId.waitForMessages(1)
    // A marker event after everything: when it has arrived, nothing else is coming for these clients.
    await progress(b, 7)
    await byProject.waitForMessages(4)
    await byTypes.waitForMessages(4)
    await byId.waitForMessages(2)
    expect(summary(eventsOf(byPool.messages))).toEqual([
      `${a}:1:TaskCreated`,
      `${a}:2:TaskQueued`,
      `${a}:3:TaskProgressReported`,
      `${a}:4:TaskCancelled`,
    ])
    expect(summary(eventsOf(byTypes.messages))).toEqual([
      `${a}:3:TaskProgressReported`,
      `${b}:3:TaskProgressReported`,
      `${a}:4:TaskCancelled`,
      `${b}:4:TaskProgressReported`,
    ])
    expect(summary(eventsOf(byProject.messages))).toEqual([
      `${b}:1:TaskCreated`,
      `${b}:2:TaskQueued`,
      `${b}:3:TaskProgressReported`,
      `${b}:4:TaskProgressReported`,
    ])
    expect(summary(eventsOf(byId.messages))).toEqual([`${b}:3:TaskProgressReported`, `${b}:4:TaskProgressReported`])
    // The pool filter places TaskQueued by the pool it carries.
    expect(eventsOf(byPool.messages)[1]).toMatchObject({ type: 'TaskQueued', data: { pool: 'alpha' } })
    for (const c of [byPool, byTypes, byProject, byId]) c.close()
  })

  it('refuses bad filters and foreign positions with problem+json before streaming', async () => {
    const layout = createLayout([{ topic: 'x', aggregate: 'task', partitions: 3 }])
    const pastTheEnd = encodePosition(layout, [1e9, 1e9, 1e9])
    const cases: [string, Record<string, string>, string][] = [
      ['?aggregateType=spaceship', {}, 'aggregateType'],
      ['?types=TaskExploded', {}, 'types'],
      ['', { 'last-event-id': 'not a position!' }, 'Last-Event-ID'],
      [`?lastEventId=${pastTheEnd}`, {}, 'past the end'],
    ]
    for (const [query, headers, word] of cases) {
      const res = await fetch(`${h.baseUrl}/api/v1/stream${query}`, { headers })
      expect(res.status, query).toBe(400)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(((await res.json()) as { detail: string }).detail).toContain(word)
    }
  })
})
