import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { logEnd, postJson, startHarness, type Harness } from './support/harness.ts'

describe('tasks over HTTP against the real stack', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ pools: ['listing', 'p', 'writers'] })
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('POST /api/v1/tasks appends TaskCreated; GET with minVersion reads it back', async () => {
    const res = await postJson(`${h.baseUrl}/api/v1/tasks`, {
      title: 'Write report',
      pool: 'writers',
      // Any case is accepted; the API answers with the upper-case name.
      priority: 'high',
      payload: { customer: 'acme', pages: 3 },
    })
    expect(res.status).toBe(201)
    const accepted = (await res.json()) as { id: string; version: number; events: { type: string }[] }
    expect(accepted.version).toBe(2)
    expect(accepted.events.map((e) => e.type)).toEqual(['TaskCreated', 'TaskQueued'])

    const got = await fetch(`${h.baseUrl}/api/v1/tasks/${accepted.id}?minVersion=${accepted.version}`)
    expect(got.status).toBe(200)
    expect(await got.json()).toMatchObject({
      id: accepted.id,
      version: 2,
      title: 'Write report',
      pool: 'writers',
      priority: 'HIGH',
      status: 'queued',
      payload: { customer: 'acme', pages: 3 },
      maxAttempts: 3,
      progress: 0,
    })
  })

  it('lists with filters, payload containment and cursor pagination', async () => {
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const r = await postJson(`${h.baseUrl}/api/v1/tasks`, {
        title: `batch ${i}`,
        pool: 'listing',
        priority: i % 2 ? 'LOW' : 'CRITICAL',
        payload: { n: i, tag: 'list' },
      })
      const body = (await r.json()) as { id: string; version: number }
      ids.push(body.id)
      await fetch(`${h.baseUrl}/api/v1/tasks/${body.id}?minVersion=${body.version}`)
    }
    const page1 = (await (await fetch(`${h.baseUrl}/api/v1/tasks?pool=listing&limit=2`)).json()) as {
      items: { id: string }[]
      next?: string
    }
    expect(page1.items.map((t) => t.id)).toEqual([ids[4], ids[3]])
    const page2 = (await (await fetch(`${h.baseUrl}/api/v1/tasks?pool=listing&limit=2&cursor=${page1.next}`)).json()) as {
      items: { id: string }[]
    }
    expect(page2.items.map((t) => t.id)).toEqual([ids[2], ids[1]])
    const critical = (await (await fetch(`${h.baseUrl}/api/v1/tasks?pool=listing&priority=CRITICAL`)).json()) as { items: unknown[] }
    expect(critical.items).toHaveLength(3)
    const byPayload = (await (await fetch(`${h.baseUrl}/api/v1/tasks?payload=${encodeURIComponent('{"n":3}')}`)).json()) as {
      items: { id: string }[]
    }
    expect(byPayload.items.map((t) => t.id)).toEqual([ids[3]])
  })

  it('rejects bad input with problem+json and appends nothing', async () => {
    const before = await logEnd(h)
    const cases: [unknown, string][] = [
      [{ pool: 'p' }, 'title'],
      [{ title: 'x', pool: 'p', priority: 'URGENT' }, 'priority'],
      [{ title: 'x', pool: 'p', maxAttempts: 'three' }, 'maxAttempts'],
      [{ title: 'x', pool: 'Not A Pool!' }, 'pool'],
      [{ title: 'x', pool: 'p', surprise: true }, 'surprise'],
    ]
    for (const [body, field] of cases) {
      const res = await postJson(`${h.baseUrl}/api/v1/tasks`, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      const problem = (await res.json()) as { code: string; detail: string; status: number; type: string }
      expect(problem).toMatchObject({ status: 400, code: 'request.invalid' })
      expect(problem.detail).toContain(field)
    }
    const notJson = await fetch(`${h.baseUrl}/api/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"title":',
    })
    expect(notJson.status).toBe(400)
    const unknown = await fetch(`${h.baseUrl}/api/v1/tasks/nope`)
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as { code: string }).code).toBe('task.not-found')
    const cancelUnknown = await postJson(`${h.baseUrl}/api/v1/tasks/nope/cancel`, {})
    expect(cancelUnknown.status).toBe(404)
    expect(await logEnd(h)).toBe(before)
  })

  it('refuses an invalid transition with 409 and a stable code', async () => {
    const { id } = (await (await postJson(`${h.baseUrl}/api/v1/tasks`, { title: 'c', pool: 'p' })).json()) as { id: string }
    expect((await postJson(`${h.baseUrl}/api/v1/tasks/${id}/cancel`, { reason: 'done with it' })).status).toBe(200)
    const res = await postJson(`${h.baseUrl}/api/v1/tasks/${id}/progress`, { percent: 10 })
    expect(res.status).toBe(409)
    expect(((await res.json()) as { code: string }).code).toBe('task.finished')
  })

  it('replays the first result for a repeated Idempotency-Key and refuses the key for another request', async () => {
    const headers = { 'idempotency-key': `create-${h.id}` }
    const first = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: 'once', pool: 'p' }, headers)
    const second = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: 'once', pool: 'p' }, headers)
    expect(second.status).toBe(201)
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect(await second.json()).toEqual(await first.json())
    const other = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: 'different', pool: 'p' }, headers)
    expect(other.status).toBe(422)
  })

  it('a repeated Idempotency-Key creates nothing twice even after Redis lost every key', async () => {
    const headers = { 'idempotency-key': `survives-${h.id}` }
    const first = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: 'exactly once', pool: 'p' }, headers)
    expect(first.status).toBe(201)
    const created = (await first.json()) as { id: string; version: number }
    const keys = await h.services.redis.keys(`${h.config.redis.prefix}*`)
    await h.services.redis.del(...keys)
    const before = await logEnd(h)
    const again = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: 'exactly once', pool: 'p' }, headers)
    expect(again.status).toBe(201)
    expect(await again.json()).toMatchObject({ id: created.id, version: created.version, events: [] })
    expect(await logEnd(h)).toBe(before)
  })

  it('reports each dependency in /health/ready', async () => {
    const res = await fetch(`${h.baseUrl}/health/ready`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { dependencies: Record<string, { status: string; latencyMs: number }> }
    expect(Object.keys(body.dependencies).sort()).toEqual(['kafka', 'postgres', 'redis', 'registry'])
    for (const d of Object.values(body.dependencies)) expect(d.status).toBe('up')
  })
})
