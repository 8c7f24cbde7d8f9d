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
})
