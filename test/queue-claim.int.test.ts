import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTaskQueue } from '../src/queue/task-queue.ts'
import { logEnd, postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { readTaskEvents, typesByTask } from './support/read-events.ts'

type Claimed = {
  id: string
  attempt: number
  leaseEpoch: number
  leaseExpiresAt: string
  payload: unknown
  timeoutMs: number
  inputs: unknown[]
}

describe('claiming from the queue over HTTP', () => {
  let h: Harness
  let depth: (pool: string) => Promise<number>
  beforeAll(async () => {
    h = await startHarness({
      pools: ['bad', 'conc', 'lapse', 'late', 'long', 'order', 'run'],
      queueLoops: ['reaper', 'retry-timer'],
      env: { AGENTFLEET_REAPER_INTERVAL_MS: '100', AGENTFLEET_RETRY_BASE_MS: '50', AGENTFLEET_RETRY_MAX_MS: '200' },
    })
    const queue = createTaskQueue({ redis: h.services.redis, prefix: h.config.redis.prefix })
    depth = queue.depth
  })
  afterAll(async () => {
    await h?.stop()
  })

  const create = async (pool: string, priority = 'NORMAL', extra: Record<string, unknown> = {}): Promise<string> => {
    const res = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: `t ${priority}`, pool, priority, ...extra })
    expect(res.status).toBe(201)
    return ((await res.json()) as { id: string }).id
  }
  const claim = (body: Record<string, unknown>) => postJson(`${h.baseUrl}/api/v1/queue/claim`, body)
  const act = (id: string, action: string, body: Record<string, unknown>) =>
    postJson(`${h.baseUrl}/api/v1/queue/tasks/${id}/${action}`, body)

  it('hands each of 50 tasks to exactly one of 100 concurrent claims; the other 50 get 204', async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => create('conc', 'NORMAL', { payload: { n: i } })))
    await waitFor(async () => (await depth('conc')) === 50, '50 queued tasks')
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => claim({ agentId: `agent-${i}`, pool: 'conc' })))
    const claimed = await Promise.all(responses.filter((r) => r.status === 200).map((r) => r.json() as Promise<Claimed>))
    expect(responses.filter((r) => r.status === 204)).toHaveLength(50)
    expect(claimed).toHaveLength(50)
    expect(new Set(claimed.map((c) => c.id))).toEqual(new Set(ids))
    expect(claimed.every((c) => c.attempt === 1 && c.leaseEpoch === 1 && typeof c.payload === 'object' && c.timeoutMs > 0)).toBe(true)
    const types = typesByTask(await readTaskEvents(h))
    for (const id of ids) expect(types.get(id)).toEqual(['TaskCreated', 'TaskQueued', 'TaskClaimed'])
  })

  it('claims by priority first, FIFO within a priority', async () => {
    const order: [string, string][] = [
      ['a', 'LOW'],
      ['b', 'NORMAL'],
      ['c', 'CRITICAL'],
      ['d', 'HIGH'],
      ['e', 'CRITICAL'],
      ['f', 'NORMAL'],
    ]
    const ids = new Map<string, string>()
    for (const [name, priority] of order) {
      ids.set(name, await create('order', priority))
      // Each task is in the queue before the next is created: distinct queueing times.
      await waitFor(async () => (await depth('order')) === ids.size, `${name} queued`)
    }
    const got: string[] = []
    for (let i = 0; i < 6; i++) got.push(((await (await claim({ agentId: 'ordered', pool: 'order' })).json()) as Claimed).id)
    expect(got).toEqual(['c', 'e', 'd', 'b', 'f', 'a'].map((n) => ids.get(n)))
    expect((await claim({ agentId: 'ordered', pool: 'order' })).status).toBe(204)
  })

  it('long-poll: a waiting claim returns as soon as a task is queued; an empty wait ends with 204', async () => {
    const started = Date.now()
    const empty = await claim({ agentId: 'waiter', pool: 'long', wait: 1 })
    expect(empty.status).toBe(204)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)

    const waiting = claim({ agentId: 'waiter', pool: 'long', wait: 20 })
    await new Promise((r) => setTimeout(r, 300)) // the claim must be parked before the task exists
    const createdAt = Date.now()
    const id = await create('long', 'HIGH')
    const res = await waiting
    expect(res.status).toBe(200)
    expect(((await res.json()) as Claimed).id).toBe(id)
    expect(Date.now() - createdAt).toBeLessThan(3_000)
  })

  it('runs a claimed task: start, heartbeat keeps the lease past its first expiry, progress, complete', async () => {
    const id = await create('run', 'NORMAL', { payload: { x: 1 } })
    await waitFor(async () => (await depth('run')) === 1, 'queued')
    const c = (await (await claim({ agentId: 'runner', pool: 'run', leaseMs: 400 })).json()) as Claimed
    expect(c).toMatchObject({ id, attempt: 1, leaseEpoch: 1, payload: { x: 1 }, inputs: [] })
    expect((await act(id, 'start', { agentId: 'runner', leaseEpoch: 1 })).status).toBe(200)
    const until = Date.now() + 1_200
    while (Date.now() < until) {
      const hb = await act(id, 'heartbeat', { agentId: 'runner', leaseEpoch: 1, leaseMs: 400 })
      expect(hb.status).toBe(200)
      await new Promise((r) => setTimeout(r, 100))
    }
    expect((await act(id, 'progress', { agentId: 'runner', leaseEpoch: 1, percent: 50, message: 'half' })).status).toBe(200)
    const done = await act(id, 'complete', { agentId: 'runner', leaseEpoch: 1, result: { ok: true } })
    expect(done.status).toBe(200)
    expect(((await done.json()) as { events: { type: string }[] }).events.map((e) => e.type)).toEqual(['TaskCompleted'])
    const types = typesByTask(await readTaskEvents(h))
    expect(types.get(id)).toEqual(['TaskCreated', 'TaskQueued', 'TaskClaimed', 'TaskStarted', 'TaskProgressReported', 'TaskCompleted'])
  })

  it('refuses the late completion of an agent whose lease was reaped; the retry completes once', async () => {
    const id = await create('late', 'NORMAL', { maxAttempts: 3 })
    await waitFor(async () => (await depth('late')) === 1, 'queued')
    const first = (await (await claim({ agentId: 'slow', pool: 'late', leaseMs: 200 })).json()) as Claimed
    expect(first.leaseEpoch).toBe(1)
    // The reaper expires the lease and the retry timer queues attempt 2: claim it with a long poll.
    const second = await claim({ agentId: 'fast', pool: 'late', wait: 10 })
    expect(second.status).toBe(200)
    const retry = (await second.json()) as Claimed
    expect(retry).toMatchObject({ id, attempt: 2, leaseEpoch: 2 })

    const before = await logEnd(h)
    for (const [action, body] of [
      ['complete', { agentId: 'slow', leaseEpoch: 1, result: 'late' }],
      ['heartbeat', { agentId: 'slow', leaseEpoch: 1 }],
      ['fail', { agentId: 'slow', leaseEpoch: 1, error: 'late', retryable: true }],
      ['complete', { agentId: 'slow', leaseEpoch: 2, result: 'wrong agent' }],
    ] as const) {
      const res = await act(id, action, body)
      expect(res.status, `${action} ${JSON.stringify(body)}`).toBe(409)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(((await res.json()) as { code: string }).code).toBe('task.stale-lease')
    }
    expect(await logEnd(h)).toBe(before)

    expect((await act(id, 'complete', { agentId: 'fast', leaseEpoch: 2, result: { ok: 1 } })).status).toBe(200)
    const repeat = await act(id, 'complete', { agentId: 'fast', leaseEpoch: 2, result: { ok: 1 } })
    expect(repeat.status).toBe(200)
    expect(((await repeat.json()) as { events: unknown[] }).events).toEqual([])
    const types = typesByTask(await readTaskEvents(h))
    expect(types.get(id)).toEqual([
      'TaskCreated',
      'TaskQueued',
      'TaskClaimed',
      'TaskLeaseExpired',
      'TaskRetryScheduled',
      'TaskQueued',
      'TaskClaimed',
      'TaskCompleted',
    ])
  })

  it('rejects bad input with problem+json and changes nothing', async () => {
    await create('bad')
    await waitFor(async () => (await depth('bad')) === 1, 'queued')
    const before = await logEnd(h)
    const cases: [string, unknown, number, string][] = [
      ['/api/v1/queue/claim', { pool: 'bad' }, 400, 'request.invalid'],
      ['/api/v1/queue/claim', { agentId: 'a', pool: 'Bad Pool' }, 400, 'request.invalid'],
      ['/api/v1/queue/claim', { agentId: 'a', pool: 'bad', leaseMs: 5 }, 400, 'request.invalid'],
      ['/api/v1/queue/claim', { agentId: 'a', pool: 'bad', wait: 3_600 }, 400, 'queue.wait-too-long'],
      ['/api/v1/queue/claim', { agentId: 'a', pool: 'bad', surprise: 1 }, 400, 'request.invalid'],
      ['/api/v1/queue/tasks/nope/complete', { agentId: 'a', leaseEpoch: 'one' }, 400, 'request.invalid'],
      ['/api/v1/queue/tasks/nope/complete', { agentId: 'a', leaseEpoch: 1 }, 404, 'task.not-found'],
      ['/api/v1/queue/tasks/nope/heartbeat', { agentId: 'a', leaseEpoch: 1 }, 409, 'task.stale-lease'],
    ]
    for (const [path, body, status, code] of cases) {
      const res = await postJson(`${h.baseUrl}${path}`, body)
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status)
      expect(((await res.json()) as { code: string }).code).toBe(code)
    }
    expect(await logEnd(h)).toBe(before)
    expect(await depth('bad')).toBe(1)
  })
})

describe('lease expiry with the reaper down', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ pools: ['bad', 'conc', 'lapse', 'late', 'long', 'order', 'run'], queueLoops: [] })
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('a lapsed lease can no longer complete, fail or heartbeat before any reaper comes: 409 task.stale-lease', async () => {
    const created = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: 'lapsing', pool: 'lapse' })
    const { id } = (await created.json()) as { id: string }
    const claimed = await waitFor(async () => {
      const res = await postJson(`${h.baseUrl}/api/v1/queue/claim`, { agentId: 'slow', pool: 'lapse', leaseMs: 100, wait: 1 })
      return res.status === 200 && ((await res.json()) as Claimed)
    }, 'the claim')
    expect(claimed.id).toBe(id)
    await new Promise((r) => setTimeout(r, 250))

    const before = await logEnd(h)
    for (const [action, body] of [
      ['heartbeat', { agentId: 'slow', leaseEpoch: 1 }],
      ['complete', { agentId: 'slow', leaseEpoch: 1, result: 'late' }],
      ['fail', { agentId: 'slow', leaseEpoch: 1, error: 'late', retryable: true }],
    ] as const) {
      const res = await postJson(`${h.baseUrl}/api/v1/queue/tasks/${id}/${action}`, body)
      expect(res.status, action).toBe(409)
      expect(((await res.json()) as { code: string }).code).toBe('task.stale-lease')
    }
    expect(await logEnd(h)).toBe(before)
  })
})
