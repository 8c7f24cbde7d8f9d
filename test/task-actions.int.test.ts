import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { logEnd, postJson, startHarness, type Harness } from './support/harness.ts'
import { createTask, getJson, runTask, taskCommand, waitForStatus } from './support/task-driver.ts'

describe('task commands over HTTP: progress, assign, cancel, retry', () => {
  let h: Harness
  let execute: Awaited<ReturnType<Harness['writeSide']>>['execute']
  beforeAll(async () => {
    h = await startHarness({ pools: ['p'], reactors: false, env: { AGENTFLEET_READ_WAIT_MS: '500' } })
    execute = (await h.writeSide()).execute
  })
  afterAll(async () => {
    await h?.stop()
  })

  const post = async (path: string, body: unknown = {}) => {
    const res = await postJson(`${h.baseUrl}/api/v1${path}`, body)
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> }
  }
  const row = (id: string) => h.services.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst()

  /** The command is refused with `code`, appends nothing and leaves the read model as it was. */
  const refused = async (path: string, body: unknown, status: number, code: string, id?: string) => {
    const before = await logEnd(h)
    const rowBefore = id ? await row(id) : undefined
    const res = await post(path, body)
    expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(status)
    expect(res.type).toBe('application/problem+json')
    expect(res.body.code).toBe(code)
    // The body's status is the HTTP status; a refused task's own status travels as taskStatus.
    expect(res.body.status).toBe(status)
    expect(await logEnd(h)).toBe(before)
    if (id) expect(await row(id)).toEqual(rowBefore)
    return res.body
  }

  it('progress: reported on a running task, 409 task.finished once it completed', async () => {
    const { id } = await createTask(h, { title: 'p', pool: 'p' })
    const claimed = await taskCommand(execute, id, { type: 'ClaimTask', agentId: 'ag', leaseMs: 30_000, now: Date.now() })
    await taskCommand(execute, id, { type: 'StartTask', agentId: 'ag', dispatchVersion: null, leaseEpoch: claimed.leaseEpoch })
    const ok = await post(`/tasks/${id}/progress`, { percent: 40, message: 'halfway-ish' })
    expect(ok.status).toBe(200)
    const { body } = await getJson(h, `/api/v1/tasks/${id}?minVersion=${ok.body.version}`)
    expect(body).toMatchObject({
      status: 'running',
      progress: 40,
      progressMessage: 'halfway-ish',
      agentId: 'ag',
      attempt: 1,
      leaseEpoch: claimed.leaseEpoch,
    })
    await taskCommand(execute, id, {
      type: 'CompleteTask',
      agentId: 'ag',
      leaseEpoch: claimed.leaseEpoch,
      result: { n: 1 },
      now: Date.now(),
    })
    await waitForStatus(h, id, 'completed')
    expect(await refused(`/tasks/${id}/progress`, { percent: 50 }, 409, 'task.finished', id)).toMatchObject({ taskStatus: 'completed' })
    await refused(`/tasks/${id}/progress`, { percent: 101 }, 400, 'request.invalid', id)
    expect((await getJson(h, `/api/v1/tasks/${id}`)).body).toMatchObject({ status: 'completed', progress: 100, result: { n: 1 } })
  })

  it('assign: reserves the task; 409 task.already-started while it runs, task.finished after; 400 on a bad body; only to a known agent of the pool', async () => {
    for (const [agentId, pool] of [
      ['agent-1', 'p'],
      ['agent-2', null],
      ['elsewhere', 'other-pool'],
    ] as const)
      expect((await post('/agents', { id: agentId, name: agentId, role: 'r', pool })).status).toBe(201)
    const { id } = await createTask(h, { title: 'a', pool: 'p' })
    await refused(`/tasks/${id}/assign`, { agentId: 'nobody' }, 404, 'agent.not-found', id)
    await refused(`/tasks/${id}/assign`, { agentId: 'elsewhere' }, 409, 'task.assignee-outside-pool', id)
    const ok = await post(`/tasks/${id}/assign`, { agentId: 'agent-1' })
    expect(ok.status).toBe(200)
    expect((await getJson(h, `/api/v1/tasks/${id}?minVersion=${ok.body.version}`)).body).toMatchObject({ assignedAgentId: 'agent-1' })
    const again = await post(`/tasks/${id}/assign`, { agentId: 'agent-1' })
    expect(again.body.events).toEqual([])
    await refused(`/tasks/${id}/assign`, {}, 400, 'request.invalid', id)
    await refused('/tasks/nope/assign', { agentId: 'agent-1' }, 404, 'task.not-found')
    const claimed = await taskCommand(execute, id, { type: 'ClaimTask', agentId: 'agent-1', leaseMs: 30_000, now: Date.now() })
    await waitForStatus(h, id, 'claimed')
    await refused(`/tasks/${id}/assign`, { agentId: 'agent-2' }, 409, 'task.already-started', id)
    await taskCommand(execute, id, { type: 'StartTask', agentId: 'agent-1', dispatchVersion: null, leaseEpoch: claimed.leaseEpoch })
    await taskCommand(execute, id, { type: 'CancelTask', reason: 'stop' })
    await waitForStatus(h, id, 'cancelled')
    await refused(`/tasks/${id}/assign`, { agentId: 'agent-2' }, 409, 'task.finished', id)
  })

  it('cancel: idempotent when cancelled, 409 task.not-cancellable once completed', async () => {
    const { id } = await createTask(h, { title: 'c', pool: 'p' })
    const first = await post(`/tasks/${id}/cancel`, { reason: 'changed my mind' })
    expect(first.status).toBe(200)
    const { body } = await getJson(h, `/api/v1/tasks/${id}?minVersion=${first.body.version}`)
    expect(body).toMatchObject({ status: 'cancelled', cancelReason: 'changed my mind' })
    expect(typeof body.finishedAt).toBe('string')
    expect((await post(`/tasks/${id}/cancel`)).body.events).toEqual([])
    const done = await createTask(h, { title: 'done', pool: 'p' })
    await runTask(execute, done.id, 'ag')
    await waitForStatus(h, done.id, 'completed')
    await refused(`/tasks/${done.id}/cancel`, { reason: 'too late' }, 409, 'task.not-cancellable', done.id)
  })

  it('retry: a failed task is queued again with the next attempt; 409 task.not-retryable otherwise', async () => {
    const { id } = await createTask(h, { title: 'r', pool: 'p' })
    await refused(`/tasks/${id}/retry`, {}, 409, 'task.not-retryable', id)
    await runTask(execute, id, 'ag', 'fail')
    await waitForStatus(h, id, 'failed')
    const ok = await post(`/tasks/${id}/retry`)
    expect(ok.status).toBe(200)
    const { body } = await getJson(h, `/api/v1/tasks/${id}?minVersion=${ok.body.version}`)
    expect(body).toMatchObject({ status: 'queued', attempt: 2, lastError: 'it broke', finishedAt: null })
    await refused(`/tasks/${id}/retry`, {}, 409, 'task.not-retryable', id)
    const waiting = await createTask(h, { title: 'w', pool: 'p', dependsOn: [id] })
    await post(`/tasks/${waiting.id}/cancel`)
    await waitForStatus(h, waiting.id, 'cancelled')
    await refused(`/tasks/${waiting.id}/retry`, {}, 409, 'task.dependencies-open', waiting.id)
    await refused('/tasks/ghost/retry', {}, 404, 'task.not-found')
  })

  it('create: a role alone needs a pool serving it (400 task.pool-required); unknown dependencies are 400', async () => {
    const before = await logEnd(h)
    for (const [body, code] of [
      [{ title: 'no pool' }, 'task.pool-required'],
      [{ title: 'nobody serves it', role: 'astronaut' }, 'task.pool-required'],
      [{ title: 'ghost dep', pool: 'p', dependsOn: ['ghost-1'] }, 'task.unknown-dependency'],
      [{ title: 'both', pool: 'p', dependsOn: [], dependencies: [] }, 'request.invalid'],
    ] as const) {
      const res = await post('/tasks', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.code).toBe(code)
    }
    expect(await logEnd(h)).toBe(before)
  })

  it('create: a role alone is routed to the active pool with that role', async () => {
    // A pools read-model row, as the pools projection writes it (plus a drained pool with the same role, which is skipped).
    const pool = {
      name: 'scribes',
      version: 1,
      role: 'scribe',
      handler: 'echo',
      handler_config: {},
      max_agents_per_process: 10,
      min_workers: 0,
      max_workers: 1,
      lag_threshold: 10,
      scale_interval_ms: 1000,
      scale_down_stabilization_ms: 1000,
      mode: 'workers',
      status: 'active',
      workers: 0,
      last_scaling: null,
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    }
    for (const p of [{ ...pool, name: 'old-scribes', status: 'draining', created_at: '2020-01-01T00:00:00Z' }, pool]) {
      await sql`insert into pools select * from jsonb_populate_record(null::pools, ${JSON.stringify(p)}::jsonb)`.execute(h.services.db)
    }
    const { id } = await createTask(h, { title: 'by role', role: 'scribe' })
    expect((await getJson(h, `/api/v1/tasks/${id}`)).body).toMatchObject({ pool: 'scribes', role: 'scribe' })
  })
})
