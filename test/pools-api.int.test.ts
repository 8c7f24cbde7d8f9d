import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { poolDecider } from '../src/commands/pool/pool.decider.ts'
import { startHealthMonitor } from '../src/reactors/agent-health.ts'
import type { Loop } from '../src/reactors/loop.ts'
import { logEnd, postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { readEvents } from './support/read-events.ts'

type Accepted = { id: string; version: number; events: { type: string }[] }

const request = (url: string, method: string, body?: unknown) =>
  fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

describe('pools over HTTP against the real stack', () => {
  let h: Harness
  let drainer: Loop
  beforeAll(async () => {
    h = await startHarness({ env: { AGENTFLEET_POOL_DRAIN_INTERVAL_MS: '100' } })
    drainer = startHealthMonitor(h.services, (await h.writeSide()).execute)
  })
  afterAll(async () => {
    await drainer?.stop()
    await h?.stop()
  })

  const api = (path: string) => `${h.baseUrl}/api/v1${path}`
  const create = async (body: Record<string, unknown>) => {
    const res = await postJson(api('/pools'), body)
    expect(res.status, await res.clone().text()).toBe(201)
    return (await res.json()) as Accepted
  }
  /** A task of the pool in an active state: the task lifecycle's own events are not needed for the read model. */
  const activeTask = async (id: string, pool: string, status = 'running') => {
    const now = new Date()
    await h.services.db
      .insertInto('tasks')
      .values({
        id,
        version: 3,
        title: 't',
        description: null,
        pool,
        priority: 'NORMAL',
        priority_rank: 2,
        status,
        payload: '{}',
        max_attempts: 3,
        timeout_ms: 1000,
        project_id: null,
        workflow_id: null,
        depends_on: [],
        progress: 0,
        progress_message: null,
        cancel_reason: null,
        created_by: 'test',
        created_at: now,
        updated_at: now,
      })
      .execute()
  }

  it('creates a pool with defaults, reads, lists and updates it', async () => {
    const p = await create({ name: 'crud', role: 'echo' })
    expect(p).toMatchObject({ id: 'crud', version: 1, events: [{ type: 'PoolCreated' }] })
    const got = await fetch(api('/pools/crud?minVersion=1'))
    expect(got.status, await got.clone().text()).toBe(200)
    expect(await got.json()).toMatchObject({
      name: 'crud',
      role: 'echo',
      handler: 'echo',
      handlerConfig: {},
      maxAgentsPerProcess: 10,
      minWorkers: 1,
      maxWorkers: 4,
      lagThreshold: 10,
      scaleIntervalMs: 2000,
      scaleDownStabilizationMs: 30000,
      mode: 'workers',
      status: 'active',
      workers: 0,
      desiredWorkers: 0,
      lastScaling: null,
    })
    await create({ name: 'crud-2', role: 'llm', handler: 'llm', handlerConfig: { model: 'small' }, maxWorkers: 8 })
    const patched = await request(api('/pools/crud'), 'PATCH', { maxWorkers: 6, minWorkers: 1, handlerConfig: { delayMs: 5 } })
    expect(patched.status).toBe(200)
    expect(((await patched.json()) as Accepted).version).toBe(2)
    expect(await (await fetch(api('/pools/crud?minVersion=2'))).json()).toMatchObject({
      minWorkers: 1,
      maxWorkers: 6,
      handlerConfig: { delayMs: 5 },
      lagThreshold: 10,
    })
    await waitFor(async () => (await fetch(api('/pools/crud-2'))).status === 200, 'second pool projected')
    const page1 = (await (await fetch(api('/pools?limit=1'))).json()) as { items: { name: string }[]; next?: string }
    const page2 = (await (await fetch(api(`/pools?limit=1&cursor=${page1.next}`))).json()) as { items: { name: string }[] }
    expect([...page1.items, ...page2.items].map((x) => x.name)).toEqual(['crud', 'crud-2'])
    expect(((await (await fetch(api('/pools?role=llm'))).json()) as { items: unknown[] }).items).toHaveLength(1)
  })

  it('rejects bad input with problem+json and appends nothing', async () => {
    await create({ name: 'strict', role: 'echo', minWorkers: 1, maxWorkers: 2 })
    await fetch(api('/pools/strict?minVersion=1'))
    const before = await logEnd(h, 'pool')
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/pools', { name: 'strict', role: 'echo' }, 409, 'pool.already-exists'],
      ['POST', '/pools', { name: 'Bad Name', role: 'echo' }, 400, 'request.invalid'],
      ['POST', '/pools', { name: 'x', role: 'echo', minWorkers: 5, maxWorkers: 2 }, 400, 'pool.invalid-config'],
      ['POST', '/pools', { name: 'x', role: 'echo', maxAgentsPerProcess: 0 }, 400, 'request.invalid'],
      ['POST', '/pools', { name: 'x' }, 400, 'request.invalid'],
      ['POST', '/pools', { name: 'x', role: 'echo', mode: 'push' }, 400, 'request.invalid'],
      ['PATCH', '/pools/strict', { minWorkers: 3 }, 400, 'pool.invalid-config'],
      ['PATCH', '/pools/strict', {}, 400, 'request.invalid'],
      ['PATCH', '/pools/strict', { name: 'renamed' }, 400, 'request.invalid'],
      ['PATCH', '/pools/missing', { maxWorkers: 3 }, 404, 'pool.not-found'],
      ['DELETE', '/pools/missing', undefined, 404, 'pool.not-found'],
      ['DELETE', '/pools/strict?drain=maybe', undefined, 400, 'request.invalid'],
    ]
    for (const [method, path, body, status, code] of cases) {
      const res = await request(api(path), method, body)
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(((await res.json()) as { code: string }).code).toBe(code)
    }
    expect((await fetch(api('/pools/missing'))).status).toBe(404)
    expect((await fetch(api('/pools/missing/stats'))).status).toBe(404)
    expect(await logEnd(h, 'pool')).toBe(before)
  })

  it('deletes an idle pool, which may then be created again', async () => {
    await create({ name: 'short-lived', role: 'echo' })
    const deleted = await request(api('/pools/short-lived'), 'DELETE')
    expect(deleted.status).toBe(200)
    const { version, events } = (await deleted.json()) as Accepted
    expect(events.map((e) => e.type)).toEqual(['PoolDeleted'])
    expect((await fetch(api(`/pools/short-lived?minVersion=${version}`))).status).toBe(404)
    expect((await request(api('/pools/short-lived'), 'DELETE')).status).toBe(409)
    expect((await create({ name: 'short-lived', role: 'other' })).version).toBe(3)
  })

  it('refuses to delete while a task is active; drains with ?drain=true and deletes once no task is active', async () => {
    await create({ name: 'busy', role: 'echo' })
    await fetch(api('/pools/busy?minVersion=1'))
    await activeTask('task-busy-1', 'busy', 'running')
    const before = await logEnd(h, 'pool')
    const refused = await request(api('/pools/busy'), 'DELETE')
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({ code: 'pool.has-active-tasks', activeTasks: 1 })
    expect(await logEnd(h, 'pool')).toBe(before)

    const drain = await request(api('/pools/busy?drain=true'), 'DELETE')
    expect(drain.status).toBe(200)
    const started = (await drain.json()) as Accepted
    expect(started.events.map((e) => e.type)).toEqual(['PoolDrainStarted'])
    expect(await (await fetch(api(`/pools/busy?minVersion=${started.version}`))).json()).toMatchObject({ status: 'draining' })
    const spawn = await postJson(api('/agents/spawn'), { pool: 'busy' })
    expect(spawn.status).toBe(409)
    expect(((await spawn.json()) as { code: string }).code).toBe('pool.draining')
    const stats = (await (await fetch(api('/pools/busy/stats'))).json()) as { tasks: { active: number; byStatus: Record<string, number> } }
    expect(stats.tasks).toMatchObject({ active: 1, byStatus: { running: 1 } })

    await h.services.db.updateTable('tasks').set({ status: 'completed' }).where('id', '=', 'task-busy-1').execute()
    await waitFor(async () => (await fetch(api('/pools/busy'))).status === 404, 'drained pool deleted')
    const types = (await readEvents(h, 'pool')).filter((e) => e.meta.aggregateId === 'busy').map((e) => e.type)
    expect(types).toEqual(['PoolCreated', 'PoolDrainStarted', 'PoolDeleted'])
  })

  it('takes tasks only for pools that exist and are active; claims only from pull pools', async () => {
    await create({ name: 'run-by-workers', role: 'echo' })
    await create({ name: 'pulled', role: 'echo', mode: 'pull' })
    await create({ name: 'closing', role: 'echo', mode: 'pull' })
    expect(await (await fetch(api('/pools/pulled?minVersion=1'))).json()).toMatchObject({ mode: 'pull' })
    await fetch(api('/pools/closing?minVersion=1'))
    await activeTask('task-closing-1', 'closing', 'running')
    expect((await request(api('/pools/closing?drain=true'), 'DELETE')).status).toBe(200)
    const task = (pool: string) => postJson(api('/tasks'), { title: 't', pool })
    expect((await task('pulled')).status).toBe(201)
    expect((await task('run-by-workers')).status).toBe(201)
    // Seen within a second plus the projector's lag (tasks let through meanwhile are fine: the pool still runs them).
    const refusedWhileDraining = await waitFor(async () => {
      const res = await task('closing')
      return res.status === 409 && ((await res.json()) as { code: string })
    }, 'the draining pool to refuse tasks')
    expect(refusedWhileDraining.code).toBe('pool.draining')
    const before = await logEnd(h, 'task')
    const cases: [Response, number, string][] = [
      [await task('nowhere'), 404, 'pool.not-found'],
      [await postJson(api('/tasks'), { title: 't', pool: 'pulled', projectId: 'no-such-project' }), 404, 'project.not-found'],
      [await postJson(api('/workflows'), { name: 'w', steps: [{ stepId: 's', title: 's', pool: 'nowhere' }] }), 404, 'pool.not-found'],
      [await postJson(api('/queue/claim'), { agentId: 'a1', pool: 'run-by-workers' }), 409, 'pool.not-pull'],
      [await postJson(api('/queue/claim'), { agentId: 'a1', pool: 'nowhere' }), 404, 'pool.not-found'],
    ]
    for (const [res, status, code] of cases) {
      expect(res.status, code).toBe(status)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(((await res.json()) as { code: string }).code).toBe(code)
    }
    expect(await logEnd(h, 'task')).toBe(before)
    expect((await postJson(api('/queue/claim'), { agentId: 'a1', pool: 'pulled', wait: 5 })).status).toBe(200)
  })

  it('reports agents, tasks and the last scaling decision in stats', async () => {
    await create({ name: 'stats', role: 'echo' })
    await fetch(api('/pools/stats?minVersion=1'))
    expect((await postJson(api('/agents/spawn'), { pool: 'stats', count: 2 })).status).toBe(201)
    const task = (await (await postJson(api('/tasks'), { title: 'count me', pool: 'stats' })).json()) as Accepted
    await fetch(api(`/tasks/${task.id}?minVersion=1`))
    const execute = (await h.writeSide()).execute
    const ctx = { commandId: 'scale-1', correlationId: 'c', causationId: null, actor: 'autoscaler' }
    const scaled = await execute(
      'pool',
      'stats',
      poolDecider,
      { type: 'RecordScaling', fromWorkers: 0, toWorkers: 2, lag: 30, timeLagMs: 1200, reason: 'lag 30 > threshold 10' },
      ctx,
    )
    expect(await (await fetch(api(`/pools/stats?minVersion=${scaled.version}`))).json()).toMatchObject({ workers: 0, desiredWorkers: 2 })
    await waitFor(async () => {
      const s = (await (await fetch(api('/pools/stats/stats'))).json()) as { agents: { total: number } }
      return s.agents.total === 2
    }, 'spawned agents projected')
    expect(await (await fetch(api('/pools/stats/stats'))).json()).toMatchObject({
      pool: 'stats',
      status: 'active',
      agents: { total: 2, byStatus: { pending: 2 } },
      tasks: { total: 1, active: 0, byStatus: { queued: 1 } },
      workers: { desired: 2, running: 0 },
      lastScaling: { fromWorkers: 0, toWorkers: 2, lag: 30, timeLagMs: 1200, reason: 'lag 30 > threshold 10' },
    })
  })

  it('documents the agent and pool endpoints in OpenAPI', async () => {
    const doc = (await (await fetch(`${h.baseUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> }
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/agents',
        '/api/v1/agents/healthy',
        '/api/v1/agents/{id}',
        '/api/v1/agents/{id}/heartbeat',
        '/api/v1/agents/{id}/status',
        '/api/v1/agents/spawn',
        '/api/v1/agents/terminate',
        '/api/v1/projects/{id}/agents',
        '/api/v1/pools',
        '/api/v1/pools/{name}',
        '/api/v1/pools/{name}/stats',
      ]),
    )
  })
})
