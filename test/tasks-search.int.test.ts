import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startHarness, type Harness } from './support/harness.ts'
import { createTask, getJson, type Json } from './support/task-driver.ts'

type View = { id: string; priority: string; createdAt: string; updatedAt: string; title: string }
const rank = (p: string) => ['CRITICAL', 'HIGH', 'NORMAL', 'LOW'].indexOf(p)
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0)

describe('task search over HTTP', () => {
  let h: Harness
  const ids: Record<string, string> = {}
  let middle = ''
  beforeAll(async () => {
    h = await startHarness({ pools: ['reviewers', 'writers'], projects: ['prj-1'], reactors: false })
    ids.a = (
      await createTask(h, {
        title: 'Summarise the ACME report',
        pool: 'writers',
        role: 'writer',
        priority: 'HIGH',
        payload: { customer: 'acme', pages: 3 },
        metadata: { team: 'blue', env: 'prod' },
        projectId: 'prj-1',
      })
    ).id
    ids.b = (
      await createTask(h, {
        title: 'Translate 100% of it',
        pool: 'writers',
        priority: 'LOW',
        payload: { customer: 'globex' },
        metadata: { team: 'red' },
        workflowId: 'wf-1',
      })
    ).id
    middle = new Date().toISOString()
    ids.c = (
      await createTask(h, {
        title: 'review acme invoices',
        pool: 'reviewers',
        priority: 'CRITICAL',
        payload: { customer: 'acme', pages: 9 },
        metadata: { team: 'blue' },
        projectId: 'prj-1',
        workflowId: 'wf-1',
      })
    ).id
    ids.d = (await createTask(h, { title: 'Blocked on the summary', pool: 'writers', priority: 'NORMAL', dependsOn: [ids.a] })).id
    ids.e = (await createTask(h, { title: 'Another critical one', pool: 'reviewers', priority: 'CRITICAL' })).id
    ids.f = (await createTask(h, { title: 'Low and late', pool: 'reviewers', priority: 'LOW' })).id
    const agent = await postJson(`${h.baseUrl}/api/v1/agents`, { id: 'agent-7', name: 'agent-7', role: 'writer', pool: 'writers' })
    expect(agent.status).toBe(201)
    const assigned = (await (await postJson(`${h.baseUrl}/api/v1/tasks/${ids.b}/assign`, { agentId: 'agent-7' })).json()) as {
      version: number
    }
    await fetch(`${h.baseUrl}/api/v1/tasks/${ids.b}?minVersion=${assigned.version}`)
  })
  afterAll(async () => {
    await h?.stop()
  })

  const search = async (query: string): Promise<string[]> => {
    const { status, body } = await getJson(h, `/api/v1/tasks?${query}`)
    expect(status, JSON.stringify(body)).toBe(200)
    return (body.items as View[]).map((t) => t.id)
  }
  const same = async (query: string, expected: string[]) => expect((await search(query)).sort()).toEqual(expected.map((k) => ids[k]).sort())

  it('filters by status, priority, pool, role, agent, project, workflow and creation range', async () => {
    await same('status=waiting', ['d'])
    await same('status=queued,waiting&pool=writers', ['a', 'b', 'd'])
    await same('priority=CRITICAL', ['c', 'e'])
    await same('pool=reviewers&priority=LOW', ['f'])
    await same('role=writer', ['a'])
    await same('agentId=agent-7', ['b'])
    await same('projectId=prj-1', ['a', 'c'])
    await same('workflowId=wf-1', ['b', 'c'])
    await same(`createdBefore=${encodeURIComponent(middle)}`, ['a', 'b'])
    await same(`createdAfter=${encodeURIComponent(middle)}&pool=writers`, ['d'])
  })

  it('searches payload and metadata by JSON containment and titles by text', async () => {
    await same(`payload=${encodeURIComponent('{"customer":"acme"}')}`, ['a', 'c'])
    await same(`payload=${encodeURIComponent('{"customer":"acme","pages":9}')}`, ['c'])
    await same(`metadata=${encodeURIComponent('{"team":"blue"}')}`, ['a', 'c'])
    await same(`metadata=${encodeURIComponent('{"team":"blue","env":"prod"}')}&payload=${encodeURIComponent('{"pages":3}')}`, ['a'])
    await same('q=acme', ['a', 'c'])
    await same('q=ACME%20rep', ['a'])
    await same(`q=${encodeURIComponent('100%')}`, ['b'])
    await same(`q=${encodeURIComponent('%')}`, ['b'])
  })

  it('returns every task exactly once, in order, for each sort and direction, page by page', async () => {
    const all = (await getJson(h, '/api/v1/tasks?limit=200')).body.items as View[]
    expect(all).toHaveLength(6)
    const orders: Record<string, (a: View, b: View) => number> = {
      'createdAt:desc': (a, b) => cmp(b.createdAt, a.createdAt) || cmp(b.id, a.id),
      'createdAt:asc': (a, b) => cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id),
      'updatedAt:desc': (a, b) => cmp(b.updatedAt, a.updatedAt) || cmp(b.id, a.id),
      'updatedAt:asc': (a, b) => cmp(a.updatedAt, b.updatedAt) || cmp(a.id, b.id),
      'priority:desc': (a, b) => cmp(rank(a.priority), rank(b.priority)) || cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id),
      'priority:asc': (a, b) => cmp(rank(b.priority), rank(a.priority)) || cmp(b.createdAt, a.createdAt) || cmp(b.id, a.id),
    }
    for (const [key, compare] of Object.entries(orders)) {
      const [sort, order] = key.split(':')
      const seen: string[] = []
      let cursor: string | undefined
      for (let page = 0; page < 10; page++) {
        const { body } = await getJson(h, `/api/v1/tasks?sort=${sort}&order=${order}&limit=4${cursor ? `&cursor=${cursor}` : ''}`)
        seen.push(...(body.items as View[]).map((t) => t.id))
        cursor = body.next as string | undefined
        if (!cursor) break
      }
      expect(seen, key).toEqual([...all].sort(compare).map((t) => t.id))
    }
    const urgent = await search('sort=priority&order=desc&limit=2')
    expect(urgent).toEqual([ids.c, ids.e])
  })

  it('refuses a cursor of another sort, malformed JSON filters and unknown statuses with 400', async () => {
    const { body } = await getJson(h, '/api/v1/tasks?limit=1')
    const wrongSort = await getJson(h, `/api/v1/tasks?sort=priority&limit=1&cursor=${body.next}`)
    expect(wrongSort.status).toBe(400)
    for (const q of ['payload=%7Bnope', 'metadata=%5B1%5D', 'status=sleeping', 'sort=title', 'cursor=zzz']) {
      const res = await getJson(h, `/api/v1/tasks?${q}`)
      expect(res.status, q).toBe(400)
      expect((res.body as Json).code).toBe('request.invalid')
    }
  })

  it('exposes the lifecycle fields in the task view', async () => {
    const { body } = await getJson(h, `/api/v1/tasks/${ids.d}`)
    expect(body).toMatchObject({
      status: 'waiting',
      dependsOn: [ids.a],
      openDependencies: [ids.a],
      metadata: {},
      role: null,
      attempt: 0,
      agentId: null,
      assignedAgentId: null,
      leaseEpoch: 0,
      result: null,
      lastError: null,
      queuedAt: null,
      startedAt: null,
      finishedAt: null,
      purged: false,
    })
    const b = (await getJson(h, `/api/v1/tasks/${ids.b}`)).body
    expect(b).toMatchObject({ status: 'queued', attempt: 1, assignedAgentId: 'agent-7', metadata: { team: 'red' } })
    expect(typeof b.queuedAt).toBe('string')
  })
})
