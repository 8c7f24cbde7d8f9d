import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Loop } from '../src/reactors/loop.ts'
import { startHealthMonitor } from '../src/reactors/agent-health.ts'
import { logEnd, postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { readEvents } from './support/read-events.ts'

type Accepted = { id: string; version: number; events: { type: string }[] }
type AgentView = {
  id: string
  version: number
  name: string
  status: string
  healthy: boolean
  lastHeartbeatAt: string | null
  role: string
  pool: string | null
  origin: string
}

function client(harness: () => Harness) {
  const api = (path: string) => `${harness().baseUrl}/api/v1${path}`
  const register = async (body: Record<string, unknown>) => {
    const res = await postJson(api('/agents'), body)
    expect(res.status, await res.clone().text()).toBe(201)
    return (await res.json()) as Accepted
  }
  const getAgent = async (id: string, minVersion?: number) =>
    (await (await fetch(api(`/agents/${id}${minVersion ? `?minVersion=${minVersion}` : ''}`))).json()) as AgentView
  return { api, register, getAgent }
}

describe('agent health against the real stack', () => {
  let h: Harness
  const monitors: Loop[] = []
  beforeAll(async () => {
    h = await startHarness({ env: { AGENTFLEET_HEARTBEAT_TIMEOUT_MS: '1500', AGENTFLEET_HEALTH_CHECK_INTERVAL_MS: '100' } })
    // Two monitors at once: the lock and the deciders' no-ops keep the events unique.
    const execute = (await h.writeSide()).execute
    monitors.push(startHealthMonitor(h.services, execute), startHealthMonitor(h.services, execute))
  })
  afterAll(async () => {
    for (const m of monitors) await m.stop()
    await h?.stop()
  })
  const { api, register, getAgent } = client(() => h)

  it('heartbeats keep an agent healthy; silence marks it offline once; a heartbeat recovers it once', async () => {
    const a = await register({ name: 'beater', role: 'r' })
    const beat = async () => {
      const res = await postJson(api(`/agents/${a.id}/heartbeat`), {})
      expect(res.status).toBe(200)
      return (await res.json()) as Accepted
    }
    expect((await beat()).events).toEqual([])
    const before = (await getAgent(a.id, 1)).lastHeartbeatAt!
    const offline = await waitFor(
      async () => {
        const v = await getAgent(a.id)
        return v.status === 'offline' && v
      },
      'agent marked offline',
      10_000,
    )
    expect(offline).toMatchObject({ healthy: false, version: 2 })
    expect(Date.parse(offline.lastHeartbeatAt!)).toBeGreaterThanOrEqual(Date.parse(before))
    const recovered = await beat()
    expect(recovered.events.map((e) => e.type)).toEqual(['AgentRecovered'])
    expect(await getAgent(a.id, recovered.version)).toMatchObject({ status: 'idle', healthy: true })
    // Deregistering stops the watch, so the log can be counted without a race against the monitor.
    expect((await fetch(api(`/agents/${a.id}?reason=done`), { method: 'DELETE' })).status).toBe(200)
    const types = (await readEvents(h, 'agent')).filter((e) => e.meta.aggregateId === a.id).map((e) => e.type)
    expect(types).toEqual(['AgentRegistered', 'AgentWentOffline', 'AgentRecovered', 'AgentDeregistered'])
    const gone = await postJson(api(`/agents/${a.id}/heartbeat`), {})
    expect(gone.status).toBe(409)
    expect(((await gone.json()) as { code: string }).code).toBe('agent.deregistered')
  })
})

describe('agents over HTTP against the real stack', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(async () => {
    await h?.stop()
  })
  const { api, register, getAgent } = client(() => h)

  it('registers an agent and reads it back; updates its status', async () => {
    const a = await register({ name: 'scout', role: 'researcher', projectId: 'prj-1', capabilities: ['web'], metadata: { zone: 'eu' } })
    expect(a.events.map((e) => e.type)).toEqual(['AgentRegistered'])
    expect(await getAgent(a.id, 1)).toMatchObject({
      id: a.id,
      name: 'scout',
      role: 'researcher',
      pool: null,
      projectId: 'prj-1',
      capabilities: ['web'],
      metadata: { zone: 'eu' },
      origin: 'registered',
      status: 'idle',
      healthy: true,
    })
    const changed = await postJson(api(`/agents/${a.id}/status`), { status: 'busy', reason: 'task 7' })
    expect(changed.status).toBe(200)
    expect(((await changed.json()) as Accepted).version).toBe(2)
    expect(await getAgent(a.id, 2)).toMatchObject({ status: 'busy', statusReason: 'task 7' })
    const same = (await (await postJson(api(`/agents/${a.id}/status`), { status: 'busy', reason: 'task 7' })).json()) as Accepted
    expect(same).toMatchObject({ version: 2, events: [] })
  })

  it('lists with filters, sorting and cursor pagination', async () => {
    const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo']
    const ids: string[] = []
    for (const [i, name] of names.entries())
      ids.push((await register({ name, role: i % 2 ? 'writer' : 'reader', pool: 'listing', projectId: 'prj-list' })).id)
    await waitFor(async () => (await getAgent(ids.at(-1)!, 1)).id === ids.at(-1), 'last agent projected')
    const page = async (query: string) => (await (await fetch(api(`/agents?${query}`))).json()) as { items: AgentView[]; next?: string }
    const p1 = await page('pool=listing&sort=name&order=asc&limit=2')
    const p2 = await page(`pool=listing&sort=name&order=asc&limit=2&cursor=${p1.next}`)
    const p3 = await page(`pool=listing&sort=name&order=asc&limit=2&cursor=${p2.next}`)
    expect([...p1.items, ...p2.items, ...p3.items].map((a) => a.name)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo'])
    expect(p3.next).toBeUndefined()
    expect((await page('pool=listing&sort=createdAt&order=desc&limit=5')).items.map((a) => a.id)).toEqual([...ids].reverse())
    expect((await page('pool=listing&role=writer')).items.map((a) => a.name).sort()).toEqual(['alpha', 'charlie'])
    expect((await page('pool=listing&status=idle&healthy=true&sort=lastHeartbeatAt')).items).toHaveLength(5)
    expect((await page('pool=listing&healthy=false')).items).toHaveLength(0)
    const project = (await (await fetch(api('/projects/prj-list/agents?limit=10'))).json()) as { items: AgentView[] }
    expect(project.items).toHaveLength(5)
    const healthy = (await (await fetch(api('/agents/healthy?pool=listing&role=reader'))).json()) as { items: AgentView[] }
    expect(healthy.items.map((a) => a.name).sort()).toEqual(['bravo', 'delta', 'echo'])
  })

  it('rejects bad input with problem+json and appends nothing', async () => {
    const existing = await register({ id: 'fixed-agent-1', name: 'fixed', role: 'r' })
    await getAgent(existing.id, 1)
    const before = await logEnd(h, 'agent')
    const cases: [string, unknown, number, string][] = [
      ['/agents', { role: 'r' }, 400, 'request.invalid'],
      ['/agents', { name: 'x', role: 'r', metadata: [1, 2] }, 400, 'request.invalid'],
      ['/agents', { name: 'x', role: 'r', capabilities: 'web' }, 400, 'request.invalid'],
      ['/agents', { name: 'x', role: 'r', surprise: 1 }, 400, 'request.invalid'],
      ['/agents', { id: 'fixed-agent-1', name: 'again', role: 'r' }, 409, 'agent.already-registered'],
      ['/agents/fixed-agent-1/status', { status: 'sleeping' }, 400, 'request.invalid'],
      ['/agents/nope/status', { status: 'idle' }, 404, 'agent.not-found'],
      ['/agents/nope/heartbeat', {}, 404, 'agent.not-found'],
      ['/agents/spawn', { pool: 'no-such-pool' }, 404, 'pool.not-found'],
      ['/agents/spawn', { pool: 'p', count: 0 }, 400, 'request.invalid'],
      ['/agents/terminate', { agentId: 'fixed-agent-1' }, 409, 'agent.not-spawned'],
      ['/agents/terminate', { agentId: 'a', pool: 'p' }, 400, 'request.invalid'],
      ['/agents/terminate', { pool: 'no-such-pool', count: 1 }, 404, 'pool.not-found'],
    ]
    for (const [path, body, status, code] of cases) {
      const res = await postJson(api(path), body)
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(((await res.json()) as { code: string }).code).toBe(code)
    }
    expect((await fetch(api('/agents/nope'))).status).toBe(404)
    expect((await fetch(api('/agents?sort=color'))).status).toBe(400)
    expect((await fetch(api('/agents?cursor=garbage'))).status).toBe(400)
    expect((await fetch(api('/agents/nope'), { method: 'DELETE' })).status).toBe(404)
    expect(await logEnd(h, 'agent')).toBe(before)
  })

  it('spawns pending agents in a pool and terminates them, hosted or not', async () => {
    expect((await postJson(api('/pools'), { name: 'spawners', role: 'echo' })).status).toBe(201)
    await waitFor(async () => (await fetch(api('/pools/spawners'))).status === 200, 'pool projected')
    const spawned = await postJson(api('/agents/spawn'), { pool: 'spawners', count: 3, name: 'w', capabilities: ['echo'] })
    expect(spawned.status).toBe(201)
    const items = ((await spawned.json()) as { items: Accepted[] }).items
    expect(items).toHaveLength(3)
    for (const [i, item] of items.entries()) {
      expect(await getAgent(item.id, 1)).toMatchObject({
        name: `w-${i + 1}`,
        role: 'echo',
        pool: 'spawners',
        origin: 'spawned',
        status: 'pending',
      })
    }
    // A worker process hosts the first agent; it then heartbeats and reports status like any agent.
    const execute = (await h.writeSide()).execute
    const { agentDecider } = await import('../src/commands/agent/agent.decider.ts')
    const ctx = { commandId: 'host-1', correlationId: 'c', causationId: null, actor: 'worker' }
    await execute('agent', items[0]!.id, agentDecider, { type: 'HostAgent', workerId: 'w1', processId: '4242' }, ctx)
    expect((await postJson(api(`/agents/${items[0]!.id}/status`), { status: 'busy' })).status).toBe(200)
    expect((await postJson(api(`/agents/${items[0]!.id}/heartbeat`), {})).status).toBe(200)
    expect(await getAgent(items[0]!.id, 3)).toMatchObject({ status: 'busy', workerId: 'w1', processId: '4242' })

    const stopHosted = await postJson(api('/agents/terminate'), { agentId: items[0]!.id })
    expect(stopHosted.status).toBe(202)
    expect(((await stopHosted.json()) as { items: Accepted[] }).items[0]!.events.map((e) => e.type)).toEqual(['AgentTerminationRequested'])
    expect(await getAgent(items[0]!.id, 4)).toMatchObject({ status: 'terminating', graceful: true })
    const byPool = await postJson(api('/agents/terminate'), { pool: 'spawners', count: 5, graceful: false })
    const stopped = ((await byPool.json()) as { items: Accepted[] }).items
    expect(stopped.map((s) => s.id).sort()).toEqual([items[1]!.id, items[2]!.id].sort())
    expect(stopped.every((s) => s.events[0]?.type === 'AgentTerminated')).toBe(true)
    await execute(
      'agent',
      items[0]!.id,
      agentDecider,
      { type: 'CompleteTermination', reason: 'worker stopped' },
      { ...ctx, commandId: 'done-1' },
    )
    expect(await getAgent(items[0]!.id, 5)).toMatchObject({ status: 'terminated' })
    for (const s of stopped) expect(await getAgent(s.id, s.version)).toMatchObject({ status: 'terminated' })
    const stats = (await (await fetch(api('/pools/spawners/stats'))).json()) as { agents: { byStatus: Record<string, number> } }
    expect(stats.agents.byStatus).toEqual({ terminated: 3 })
  })

  it('PATCH updates role, capabilities and metadata; refuses an empty or unknown body and an unknown agent', async () => {
    const { id } = await register({ name: 'editable', role: 'reader', capabilities: ['pdf'], metadata: { zone: 'eu' } })
    const patch = (agent: string, body: unknown) =>
      fetch(api(`/agents/${agent}`), { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const ok = await patch(id, { role: 'writer', capabilities: ['pdf', 'web'] })
    expect(ok.status, await ok.clone().text()).toBe(200)
    const { version } = (await ok.json()) as Accepted
    expect(await getAgent(id, version)).toMatchObject({ role: 'writer', capabilities: ['pdf', 'web'], metadata: { zone: 'eu' } })
    const meta = (await (await patch(id, { metadata: { zone: 'us' } })).json()) as Accepted
    expect(await getAgent(id, meta.version)).toMatchObject({ role: 'writer', metadata: { zone: 'us' } })
    const before = await logEnd(h, 'agent')
    for (const [agent, body, status, code] of [
      [id, {}, 400, 'request.invalid'],
      [id, { name: 'renamed' }, 400, 'request.invalid'],
      ['nobody', { role: 'x' }, 404, 'agent.not-found'],
    ] as const) {
      const res = await patch(agent, body)
      expect(res.status, JSON.stringify(body)).toBe(status)
      expect(((await res.json()) as { code: string }).code).toBe(code)
    }
    expect(await logEnd(h, 'agent')).toBe(before)
  })

  it("metrics count an agent's runs: completed, failed, mean run time and the task it runs now", async () => {
    await h.createPools(['metered'])
    const { id: agentId } = await register({ id: 'meter-1', name: 'meter-1', role: 'r', pool: 'metered' })
    const empty = (await (await fetch(api(`/agents/${agentId}/metrics`))).json()) as Record<string, unknown>
    expect(empty).toMatchObject({ agentId, completed: 0, failed: 0, running: 0, averageRunMs: null, currentTaskId: null })
    const runOne = async (finish: 'complete' | 'fail' | 'none') => {
      expect((await postJson(api('/tasks'), { title: finish, pool: 'metered', maxAttempts: 1 })).status).toBe(201)
      const claimed = (await (await postJson(api('/queue/claim'), { agentId, pool: 'metered', wait: 5 })).json()) as {
        id: string
        leaseEpoch: number
      }
      const lease = { agentId, leaseEpoch: claimed.leaseEpoch }
      expect((await postJson(api(`/queue/tasks/${claimed.id}/start`), lease)).status).toBe(200)
      await new Promise((r) => setTimeout(r, 20))
      if (finish === 'complete') expect((await postJson(api(`/queue/tasks/${claimed.id}/complete`), lease)).status).toBe(200)
      if (finish === 'fail')
        expect((await postJson(api(`/queue/tasks/${claimed.id}/fail`), { ...lease, error: 'no', retryable: false })).status).toBe(200)
      return claimed.id
    }
    await runOne('complete')
    await runOne('fail')
    const current = await runOne('none')
    const metrics = await waitFor(async () => {
      const m = (await (await fetch(api(`/agents/${agentId}/metrics`))).json()) as Record<string, unknown>
      return m.completed === 1 && m.failed === 1 && m.currentTaskId === current && m
    }, 'the metrics to count the runs')
    expect(metrics).toMatchObject({ running: 1 })
    expect(metrics.averageRunMs).toBeGreaterThanOrEqual(0)
    expect(typeof metrics.lastFinishedAt).toBe('string')
    expect((await fetch(api('/agents/nobody/metrics'))).status).toBe(404)
  })
})
