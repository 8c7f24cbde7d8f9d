import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { collectTaskEvents, spawnWorkers, stopProcess } from './support/workers.ts'

describe('workers --all (real forked processes)', () => {
  let h: Harness
  let collected: Awaited<ReturnType<typeof collectTaskEvents>>
  let workers: ReturnType<typeof spawnWorkers>
  beforeAll(async () => {
    h = await startHarness({ env: { AGENTFLEET_DISPATCH_PARTITIONS: '2', AGENTFLEET_WORKER_SHUTDOWN_MS: '3000' } })
    collected = await collectTaskEvents(h)
    workers = spawnWorkers(h, ['--all'])
  })
  afterAll(async () => {
    if (workers) expect(await stopProcess(workers)).toBe(0)
    await collected?.stop()
    await h?.stop()
  })

  it("starts a worker group for a pool created after it started, which runs the pool's tasks once", async () => {
    const pool = await postJson(`${h.baseUrl}/api/v1/pools`, {
      name: 'late',
      role: 'echo',
      minWorkers: 1,
      maxWorkers: 1,
      scaleIntervalMs: 500,
    })
    expect(pool.status).toBe(201)
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: `late ${i}`, pool: 'late', payload: { n: i } })
      ids.push(((await res.json()) as { id: string }).id)
    }
    await waitFor(async () => ids.every((id) => collected.of('TaskCompleted', id).length > 0), "the late pool's tasks to complete", 40_000)
    for (const id of ids) expect(collected.of('TaskCompleted', id)).toHaveLength(1)
    const listed = await waitFor(async () => {
      const body = (await (await fetch(`${h.baseUrl}/api/v1/pools/late/workers`)).json()) as { items: { pool: string; workerId: string }[] }
      return body.items.length > 0 && body.items
    }, "the late pool's worker in the read model")
    expect(listed.every((w) => w.pool === 'late' && w.workerId.startsWith('late-'))).toBe(true)
  })

  const taskResult = async (id: string) =>
    waitFor(
      async () => {
        const e = collected.of('TaskCompleted', id)[0]
        return e && (e.data as { result: string }).result
      },
      `task ${id} to complete`,
      40_000,
    )
  const submit = async (pool: string, n: number) => {
    const res = await postJson(`${h.baseUrl}/api/v1/tasks`, { title: `t ${n}`, pool, payload: { n } })
    expect(res.status).toBe(201)
    return ((await res.json()) as { id: string }).id
  }
  const request = (path: string, method: string, body?: unknown) =>
    fetch(`${h.baseUrl}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })

  it('follows a pool live: a changed handler runs the next task, a worker-less pool touches no other, a deleted pool stops its group', async () => {
    expect((await postJson(`${h.baseUrl}/api/v1/pools`, { name: 'live', role: 'echo', minWorkers: 1, maxWorkers: 1 })).status).toBe(201)
    // A pool with no workers at all: accepted, and no other pool notices it.
    expect((await postJson(`${h.baseUrl}/api/v1/pools`, { name: 'none', role: 'echo', minWorkers: 0, maxWorkers: 0 })).status).toBe(201)
    // A pull pool: remote agents claim its tasks, so no worker group runs it whatever its numbers say.
    expect((await postJson(`${h.baseUrl}/api/v1/pools`, { name: 'pulled', role: 'echo', mode: 'pull', minWorkers: 2 })).status).toBe(201)
    const first = await submit('live', 1)
    expect(JSON.parse(await taskResult(first))).toMatchObject({ n: 1 })

    const patched = await request('/pools/live', 'PATCH', { handler: 'command', handlerConfig: { command: 'echo', args: ['changed'] } })
    expect(patched.status).toBe(200)
    // The processes started with echo drain; the next task runs the new handler.
    const second = await waitFor(
      async () => {
        const id = await submit('live', 2)
        const result = JSON.parse(await taskResult(id)) as { stdout?: string }
        return result.stdout === 'changed\n' && id
      },
      'a task run by the changed handler',
      40_000,
    )
    expect(collected.of('TaskCompleted', second)).toHaveLength(1)
    expect((await (await fetch(`${h.baseUrl}/api/v1/pools/none/workers`)).json()) as unknown).toEqual({ items: [] })
    expect((await (await fetch(`${h.baseUrl}/api/v1/pools/pulled/workers`)).json()) as unknown).toEqual({ items: [] })

    expect((await request('/pools/live', 'DELETE')).ok).toBe(true)
    await waitFor(
      async () => ((await (await fetch(`${h.baseUrl}/api/v1/pools/live/workers`)).json()) as { items?: unknown[] }).items === undefined,
      "the deleted pool's workers gone (404: no pool, no process)",
      20_000,
    )
    // The late pool's group was never disturbed.
    const late = await submit('late', 9)
    expect(JSON.parse(await taskResult(late))).toMatchObject({ n: 9 })
  })

  it('a handler that cannot load degrades its pool with the reason, touches no other pool, and the pool recovers once fixed', async () => {
    const view = async () =>
      (await (await fetch(`${h.baseUrl}/api/v1/pools/broken`)).json()) as { health: string; degradedReason: string | null; version: number }
    expect(
      (
        await postJson(`${h.baseUrl}/api/v1/pools`, {
          name: 'broken',
          role: 'x',
          handler: './no/such-handler.js',
          minWorkers: 1,
          maxWorkers: 1,
        })
      ).status,
    ).toBe(201)
    const degraded = await waitFor(
      async () => {
        const v = await view()
        return v.health === 'degraded' && v
      },
      'the pool shown degraded',
      30_000,
    )
    expect(degraded.degradedReason).toContain('handler ./no/such-handler.js cannot be loaded')

    expect((await request('/pools/broken', 'PATCH', { handler: 'echo' })).status).toBe(200)
    await waitFor(async () => (await view()).health === 'ok', 'the pool recovered', 30_000)
    const id = await submit('broken', 5)
    expect(JSON.parse(await taskResult(id))).toMatchObject({ n: 5 })
    // The other pools never noticed.
    const late = await submit('late', 10)
    expect(JSON.parse(await taskResult(late))).toMatchObject({ n: 10 })
  })
})
