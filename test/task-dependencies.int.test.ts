import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { logEnd, postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { createTask, getJson, runTask, taskCommand, waitForStatus } from './support/task-driver.ts'

type Ev = { version: number; type: string; data: Record<string, unknown>; meta: Record<string, unknown> }

describe('task dependencies: reactor, cycles, history', () => {
  let h: Harness
  let execute: Awaited<ReturnType<Harness['writeSide']>>['execute']
  beforeAll(async () => {
    h = await startHarness({ pools: ['chain', 'cyc', 'fail', 'hist', 'late', 'rm'], env: { AGENTFLEET_READ_WAIT_MS: '500' } })
    execute = (await h.writeSide()).execute
  })
  afterAll(async () => {
    await h?.stop()
  })

  const post = async (path: string, body: unknown = {}) => {
    const res = await postJson(`${h.baseUrl}/api/v1${path}`, body)
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const del = async (path: string) => {
    const res = await fetch(`${h.baseUrl}/api/v1${path}`, { method: 'DELETE' })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  // The history is its own projection: ?minVersion= waits for it to reach what another read model showed.
  const events = async (id: string, minVersion?: number) =>
    ((await getJson(h, `/api/v1/tasks/${id}/events${minVersion ? `?minVersion=${minVersion}` : ''}`)).body.items ?? []) as unknown as Ev[]

  it('runs a chain A → B → C in order: C is queued only after B completed', async () => {
    const a = await createTask(h, { title: 'A', pool: 'chain' })
    const b = await createTask(h, { title: 'B', pool: 'chain', dependsOn: [a.id] })
    const c = await createTask(h, { title: 'C', pool: 'chain', dependencies: [b.id] })
    expect((await getJson(h, `/api/v1/tasks/${c.id}`)).body).toMatchObject({ status: 'waiting', openDependencies: [b.id] })

    await runTask(execute, a.id, 'agent-a')
    await waitForStatus(h, b.id, 'queued')
    expect((await getJson(h, `/api/v1/tasks/${c.id}`)).body.status).toBe('waiting')
    await runTask(execute, b.id, 'agent-b')
    const cQueued = await waitForStatus(h, c.id, 'queued')
    const bDone = await waitForStatus(h, b.id, 'completed')
    expect(Date.parse(cQueued.queuedAt as string)).toBeGreaterThanOrEqual(Date.parse(bDone.completedAt as string))
    expect(cQueued).toMatchObject({ openDependencies: [], dependsOn: [b.id] })

    const cEvents = await events(c.id, cQueued.version as number)
    expect(cEvents.map((e) => e.type)).toEqual(['TaskCreated', 'TaskDependencyResolved', 'TaskQueued'])
    expect(cEvents[1]!.meta).toMatchObject({ actor: 'dependency-manager', causationId: expect.any(String) })
    expect(cEvents[2]!.data).toMatchObject({ attempt: 1, reason: 'dependencies-met' })
    // task_dependencies is its own projection: wait for it to see C's resolution.
    const graph = await waitFor(async () => {
      const body = (await getJson(h, `/api/v1/tasks/${b.id}/dependencies`)).body as { dependents?: { resolved: boolean }[] }
      return body.dependents?.[0]?.resolved === true && body
    }, 'the dependency graph with C resolved')
    expect(graph).toMatchObject({
      dependsOn: [{ id: a.id, resolved: true, status: 'completed' }],
      dependents: [{ id: c.id, resolved: true }],
    })
  })

  it('resolves a dependency that completed before the dependent existed or before it was added', async () => {
    const done = await createTask(h, { title: 'done first', pool: 'late' })
    await runTask(execute, done.id, 'ag')
    await waitForStatus(h, done.id, 'completed')
    const late = await createTask(h, { title: 'created after', pool: 'late', dependsOn: [done.id] })
    await waitForStatus(h, late.id, 'queued')
    const other = await createTask(h, { title: 'other dependency', pool: 'late' })
    const added = await post(`/tasks/${other.id}/dependencies`, { dependsOn: done.id })
    expect(added.body.events).toEqual([expect.objectContaining({ type: 'TaskDependencyAdded' })])
    await waitFor(async () => {
      const types = (await events(other.id)).map((e) => e.type)
      return types.join() === 'TaskCreated,TaskQueued,TaskDependencyAdded,TaskDependencyResolved,TaskQueued' || undefined
    }, 'the added, already completed dependency to be resolved')
    await waitForStatus(h, other.id, 'queued')
  })

  it('cancels the dependents of a task that failed, with the reason, transitively', async () => {
    const root = await createTask(h, { title: 'will fail', pool: 'fail' })
    const child = await createTask(h, { title: 'child', pool: 'fail', dependsOn: [root.id] })
    const grandchild = await createTask(h, { title: 'grandchild', pool: 'fail', dependsOn: [child.id] })
    await runTask(execute, root.id, 'ag', 'fail')
    expect(await waitForStatus(h, child.id, 'cancelled')).toMatchObject({ cancelReason: `dependency ${root.id} failed` })
    expect(await waitForStatus(h, grandchild.id, 'cancelled')).toMatchObject({ cancelReason: `dependency ${child.id} cancelled` })
    const later = await createTask(h, { title: 'after the failure', pool: 'fail', dependsOn: [root.id] })
    expect(await waitForStatus(h, later.id, 'cancelled')).toMatchObject({ cancelReason: `dependency ${root.id} failed` })
  })

  it('refuses a cycle with 409 and an unknown dependency with 400, appending nothing', async () => {
    const x = await createTask(h, { title: 'X', pool: 'cyc' })
    const y = await createTask(h, { title: 'Y', pool: 'cyc', dependsOn: [x.id] })
    const z = await createTask(h, { title: 'Z', pool: 'cyc', dependsOn: [y.id] })
    // The check walks task_dependencies, a projection of its own: wait until it shows both edges.
    await waitFor(
      async () =>
        ((await getJson(h, `/api/v1/tasks/${y.id}/dependencies`)).body.dependents as unknown[]).length === 1 &&
        ((await getJson(h, `/api/v1/tasks/${y.id}/dependencies`)).body.dependsOn as unknown[]).length === 1,
      'the dependency edges',
    )
    const before = await logEnd(h)
    const cycle = await post(`/tasks/${x.id}/dependencies`, { dependsOn: z.id })
    expect(cycle.status).toBe(409)
    expect(cycle.body).toMatchObject({ code: 'task.dependency-cycle', cycle: [x.id, z.id, y.id, x.id] })
    const self = await post(`/tasks/${x.id}/dependencies`, { dependsOn: x.id })
    expect([self.status, self.body.code]).toEqual([409, 'task.dependency-cycle'])
    const unknown = await post(`/tasks/${x.id}/dependencies`, { dependsOn: 'nobody' })
    expect([unknown.status, unknown.body.code]).toEqual([400, 'task.unknown-dependency'])
    const unknownDelete = await del(`/tasks/${x.id}/dependencies/nobody`)
    expect([unknownDelete.status, unknownDelete.body.code]).toEqual([400, 'task.unknown-dependency'])
    expect(await logEnd(h)).toBe(before)
    expect((await getJson(h, `/api/v1/tasks/${x.id}`)).body).toMatchObject({ status: 'queued', dependsOn: [] })
  })

  it('removing the last open dependency queues the task; a started task keeps its dependencies (409)', async () => {
    const dep = await createTask(h, { title: 'slow dependency', pool: 'rm' })
    const t = await createTask(h, { title: 'waits', pool: 'rm', dependsOn: [dep.id] })
    const removed = await del(`/tasks/${t.id}/dependencies/${dep.id}`)
    expect(removed.status).toBe(200)
    expect((removed.body.events as { type: string }[]).map((e) => e.type)).toEqual(['TaskDependencyRemoved', 'TaskQueued'])
    expect(await waitForStatus(h, t.id, 'queued')).toMatchObject({ dependsOn: [], openDependencies: [] })
    const claimed = await taskCommand(execute, t.id, { type: 'ClaimTask', agentId: 'ag', leaseMs: 30_000, now: Date.now() })
    expect(claimed.status).toBe('claimed')
    await waitForStatus(h, t.id, 'claimed')
    const late = await post(`/tasks/${t.id}/dependencies`, { dependsOn: dep.id })
    expect([late.status, late.body.code]).toEqual([409, 'task.already-started'])
  })

  it('lists the full event history in version order and every run in the attempts', async () => {
    const t = await createTask(h, { title: 'history', pool: 'hist', metadata: { k: 'v' } })
    await runTask(execute, t.id, 'ag-1', 'fail')
    const retried = await post(`/tasks/${t.id}/retry`)
    await runTask(execute, t.id, 'ag-2', 'complete', { answer: 42 })
    const history = await waitFor(async () => {
      const { status, body } = await getJson(h, `/api/v1/tasks/${t.id}/events?minVersion=${Number(retried.body.version) + 3}`)
      return status === 200 ? (body.items as unknown as Ev[]) : undefined
    }, 'the whole history')
    expect(history.map((e) => e.type)).toEqual([
      'TaskCreated',
      'TaskQueued',
      'TaskClaimed',
      'TaskStarted',
      'TaskFailed',
      'TaskQueued',
      'TaskClaimed',
      'TaskStarted',
      'TaskCompleted',
    ])
    expect(history.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(history[0]!.data).toMatchObject({ title: 'history', metadata: '{"k":"v"}' })
    expect(history[8]!.data).toMatchObject({ agentId: 'ag-2', result: '{"answer":42}' })
    const page = (await getJson(h, `/api/v1/tasks/${t.id}/events?afterVersion=2&limit=3`)).body
    expect((page.items as unknown as Ev[]).map((e) => e.version)).toEqual([3, 4, 5])
    expect(page.next).toBe(5)

    // task_attempts is its own projection: it may trail the history.
    const attempts = await waitFor(async () => {
      const items = (await getJson(h, `/api/v1/tasks/${t.id}/attempts`)).body.items as Record<string, unknown>[]
      return items.length === 2 && items[1]!.outcome !== null && items
    }, 'both attempts with their outcomes')
    expect(attempts).toMatchObject([
      { attempt: 1, queuedVersion: 2, agentId: 'ag-1', outcome: 'failed', error: 'it broke' },
      { attempt: 2, queuedVersion: 6, agentId: 'ag-2', outcome: 'completed', error: null },
    ])
    for (const a of attempts) for (const k of ['queuedAt', 'claimedAt', 'startedAt', 'endedAt']) expect(typeof a[k], k).toBe('string')
    expect((await getJson(h, '/api/v1/tasks/nope/events')).status).toBe(404)
    expect((await getJson(h, '/api/v1/tasks/nope/attempts')).status).toBe(404)
  })
})
