import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StoredEvent } from '../src/events/envelope.ts'
import { startQueueLoops } from '../src/queue/queue-loops.ts'
import { createTaskQueue } from '../src/queue/task-queue.ts'
import { logEnd, postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { readTaskEvents, typesByTask } from './support/read-events.ts'

const run = promisify(execFile)
type Claimed = { id: string; attempt: number; leaseEpoch: number }
type DeadLetter = { id: string; attempts: number; lastError: string; failures: { attempt: number; error: string }[]; priority: string }

describe('retries, dead letters and the queue loops', () => {
  let h: Harness
  let depth: (pool: string) => Promise<number>
  beforeAll(async () => {
    h = await startHarness({
      pools: ['backoff', 'dlq', 'cli', 'twins'],
      queueLoops: ['reaper', 'retry-timer'],
      env: { AGENTFLEET_REAPER_INTERVAL_MS: '100', AGENTFLEET_RETRY_BASE_MS: '100', AGENTFLEET_RETRY_MAX_MS: '400' },
    })
    depth = createTaskQueue({ redis: h.services.redis, prefix: h.config.redis.prefix }).depth
  })
  afterAll(async () => {
    await h?.stop()
  })

  const create = async (pool: string, extra: Record<string, unknown> = {}): Promise<string> => {
    const res = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: 't', pool, ...extra })
    expect(res.status).toBe(201)
    return ((await res.json()) as { id: string }).id
  }
  const claim = async (pool: string, body: Record<string, unknown> = {}): Promise<Claimed> => {
    const res = await postJson(`${h.baseUrl}/api/v1/queue/claim`, { agentId: 'agent', pool, wait: 10, ...body })
    expect(res.status).toBe(200)
    return (await res.json()) as Claimed
  }
  const fail = (c: Claimed, error = 'boom') =>
    postJson(`${h.baseUrl}/api/v1/queue/tasks/${c.id}/fail`, { agentId: 'agent', leaseEpoch: c.leaseEpoch, error, retryable: true })
  const list = async (query: string) =>
    (await (await fetch(`${h.baseUrl}/api/v1/dead-letters?${query}`)).json()) as { items: DeadLetter[]; next?: string }
  const deadLetterCount = (pool: string, n: number) =>
    waitFor(async () => (await list(`pool=${pool}`)).items.length === n, `${n} dead letters in ${pool}`)

  it('retries with growing backoff, then dead-letters after maxAttempts', async () => {
    const id = await create('backoff', { maxAttempts: 4 })
    for (let attempt = 1; attempt <= 4; attempt++) {
      const c = await claim('backoff')
      expect(c).toMatchObject({ id, attempt })
      const res = await fail(c, `boom ${attempt}`)
      expect(res.status).toBe(200)
      const types = ((await res.json()) as { events: { type: string }[] }).events.map((e) => e.type)
      expect(types).toEqual(attempt < 4 ? ['TaskFailed', 'TaskRetryScheduled'] : ['TaskFailed', 'TaskDeadLettered'])
    }
    const events = (await readTaskEvents(h)).filter((e) => e.meta.aggregateId === id)
    const scheduled = events
      .filter((e): e is StoredEvent & { type: 'TaskRetryScheduled' } => e.type === 'TaskRetryScheduled')
      .map((e) => e.data)
    expect(scheduled.map((s) => s.attempt)).toEqual([2, 3, 4])
    scheduled.forEach((s, i) => {
      expect(s.delayMs).toBeGreaterThanOrEqual(100)
      expect(s.delayMs).toBeLessThanOrEqual(Math.min(400, 100 * 2 ** i))
    })
    for (let i = 1; i < scheduled.length; i++) expect(scheduled[i]!.retryAt).toBeGreaterThan(scheduled[i - 1]!.retryAt)
    // No retry is queued before it is due.
    const retries = events.filter((e) => e.type === 'TaskQueued' && e.data.reason === 'retry')
    expect(retries.map((e) => e.meta.occurredAt >= scheduled[retries.indexOf(e)]!.retryAt)).toEqual([true, true, true])
    expect(events.at(-1)).toMatchObject({ type: 'TaskDeadLettered', data: { attempts: 4, lastError: 'boom 4', pool: 'backoff' } })

    await deadLetterCount('backoff', 1)
    const shown = (await (await fetch(`${h.baseUrl}/api/v1/dead-letters/${id}`)).json()) as DeadLetter
    expect(shown).toMatchObject({ id, attempts: 4, lastError: 'boom 4' })
    expect(shown.failures.map((f) => [f.attempt, f.error])).toEqual([
      [1, 'boom 1'],
      [2, 'boom 2'],
      [3, 'boom 3'],
      [4, 'boom 4'],
    ])
  })

  it('lists, requeues and purges dead letters, one and in bulk, each with exactly the expected events', async () => {
    const normal = [
      await create('dlq', { maxAttempts: 1 }),
      await create('dlq', { maxAttempts: 1 }),
      await create('dlq', { maxAttempts: 1 }),
    ]
    const high = [await create('dlq', { maxAttempts: 1, priority: 'HIGH' }), await create('dlq', { maxAttempts: 1, priority: 'HIGH' })]
    for (let i = 0; i < 5; i++) expect((await fail(await claim('dlq'))).status).toBe(200)
    await deadLetterCount('dlq', 5)

    const page1 = await list('pool=dlq&limit=3')
    const page2 = await list(`pool=dlq&limit=3&cursor=${page1.next}`)
    expect([...page1.items, ...page2.items].map((d) => d.id).sort()).toEqual([...normal, ...high].sort())
    expect((await list('pool=dlq&priority=HIGH')).items.map((d) => d.id).sort()).toEqual([...high].sort())
    expect((await list('pool=dlq&to=2000-01-01T00:00:00Z')).items).toEqual([])

    const before = await logEnd(h)
    for (const [path, body, status] of [
      ['requeue', {}, 400],
      ['purge', { reason: 'x' }, 400],
      ['requeue', { pool: 'NOT OK' }, 400],
      ['requeue', { priority: 'URGENT' }, 400],
    ] as const)
      expect((await postJson(`${h.baseUrl}/api/v1/dead-letters/${path}`, body)).status).toBe(status)
    expect((await fetch(`${h.baseUrl}/api/v1/dead-letters/nope`)).status).toBe(404)
    expect((await postJson(`${h.baseUrl}/api/v1/dead-letters/nope/requeue`, {})).status).toBe(404)
    expect(await logEnd(h)).toBe(before)

    const requeued = await postJson(`${h.baseUrl}/api/v1/dead-letters/${normal[0]}/requeue`, {})
    expect(requeued.status).toBe(200)
    expect(((await requeued.json()) as { events: { type: string }[] }).events.map((e) => e.type)).toEqual(['TaskQueued'])
    await waitFor(async () => (await depth('dlq')) === 1, 'requeued task back in the queue')
    const purged = await postJson(`${h.baseUrl}/api/v1/dead-letters/${normal[1]}/purge`, { reason: 'obsolete' })
    expect(((await purged.json()) as { events: { type: string }[] }).events.map((e) => e.type)).toEqual(['TaskPurged'])
    expect(
      ((await (await postJson(`${h.baseUrl}/api/v1/dead-letters/${normal[1]}/purge`, {})).json()) as { events: unknown[] }).events,
    ).toEqual([])
    const again = await postJson(`${h.baseUrl}/api/v1/dead-letters/${normal[1]}/requeue`, {})
    expect(again.status).toBe(409)
    expect(((await again.json()) as { code: string }).code).toBe('task.not-dead-lettered')
    await deadLetterCount('dlq', 3)

    const bulkRequeue = await postJson(`${h.baseUrl}/api/v1/dead-letters/requeue`, { pool: 'dlq', priority: 'HIGH' })
    expect(await bulkRequeue.json()).toEqual({ matched: 2, count: 2, refused: [] })
    await deadLetterCount('dlq', 1)
    const bulkPurge = await postJson(`${h.baseUrl}/api/v1/dead-letters/purge`, { pool: 'dlq', reason: 'cleanup' })
    expect(await bulkPurge.json()).toEqual({ matched: 1, count: 1, refused: [] })
    await deadLetterCount('dlq', 0)

    const events = await readTaskEvents(h)
    const types = typesByTask(events)
    const dead = ['TaskCreated', 'TaskQueued', 'TaskClaimed', 'TaskFailed', 'TaskDeadLettered']
    for (const id of [normal[0]!, ...high]) expect(types.get(id)).toEqual([...dead, 'TaskQueued'])
    for (const id of [normal[1]!, normal[2]!]) expect(types.get(id)).toEqual([...dead, 'TaskPurged'])
    const requeueEvents = events.filter(
      (e) => e.type === 'TaskQueued' && [normal[0], ...high].includes(e.meta.aggregateId) && e.meta.version === 6,
    )
    expect(requeueEvents.map((e) => e.type === 'TaskQueued' && e.data.reason)).toEqual(['requeued', 'requeued', 'requeued'])
  })

  it('agentfleet dlq list|requeue: same results from the CLI, bulk only after confirmation', async () => {
    const ids = [await create('cli', { maxAttempts: 1 }), await create('cli', { maxAttempts: 1 })]
    for (let i = 0; i < 2; i++) await fail(await claim('cli'))
    await deadLetterCount('cli', 2)
    const cli = (...args: string[]) =>
      run(process.execPath, ['bin/agentfleet.js', 'dlq', ...args], { env: { ...process.env, ...h.env }, timeout: 30_000 })

    const listed = await cli('list', '--pool', 'cli', '--json')
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id)
        .sort(),
    ).toEqual([...ids].sort())
    // `show` prints what GET /api/v1/dead-letters/:id answers, camelCase included.
    const shown = JSON.parse((await cli('show', ids[0]!)).stdout) as Record<string, unknown>
    const api = (await (await fetch(`${h.baseUrl}/api/v1/dead-letters/${ids[0]}`)).json()) as Record<string, unknown>
    expect(shown).toEqual(api)
    expect(shown).toHaveProperty('lastError')
    expect(shown).not.toHaveProperty('last_error')
    const before = await logEnd(h)
    const unconfirmed = await cli('requeue', '--pool', 'cli').then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    )
    expect(unconfirmed?.code).toBe(1)
    expect(unconfirmed?.stderr).toContain('2 dead letters match; pass --yes')
    expect(await logEnd(h)).toBe(before)
    const done = await cli('requeue', '--pool', 'cli', '--yes')
    expect(done.stdout).toContain('requeued 2 of 2')
    expect(await logEnd(h)).toBe(before + 2)
  })

  it('two reapers and two retry timers (one restarted midway) append each expiry and retry once', async () => {
    const ws1 = await h.writeSide()
    const extra = startQueueLoops(h.services, ws1.execute)
    const ids = await Promise.all(Array.from({ length: 10 }, () => create('twins', { maxAttempts: 3 })))
    await waitFor(async () => (await depth('twins')) === 10, '10 queued')
    for (let i = 0; i < 10; i++) await claim('twins', { leaseMs: 300, wait: 0 })
    await extra.stop()
    const ws2 = await h.writeSide()
    const restarted = startQueueLoops(h.services, ws2.execute)
    try {
      await waitFor(async () => (await depth('twins')) === 10, 'all 10 retried and back in the queue')
      const types = typesByTask(await readTaskEvents(h))
      for (const id of ids) {
        expect(types.get(id)).toEqual(['TaskCreated', 'TaskQueued', 'TaskClaimed', 'TaskLeaseExpired', 'TaskRetryScheduled', 'TaskQueued'])
      }
      const leftovers = await h.services.redis.zcard(`${h.config.redis.prefix}retries`)
      expect(leftovers).toBe(0)
    } finally {
      await restarted.stop()
    }
  })
})
