import { execFile } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandHandler } from '../src/commands/handle-command.ts'
import { TaskPriority } from '../src/events/generated/event-types.ts'
import { postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { collectTaskEvents, createTask, runRecovery, spawnWorkers, stopProcess } from './support/workers.ts'

const childrenOf = (pid: number | undefined) =>
  new Promise<number[]>((resolve) =>
    execFile('pgrep', ['-P', String(pid)], (_, out) => resolve(out.split('\n').filter(Boolean).map(Number))),
  )
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('worker groups under crashes, priorities and load (real forked processes)', () => {
  let h: Harness
  let execute: CommandHandler
  let collected: Awaited<ReturnType<typeof collectTaskEvents>>
  let recovery: ReturnType<typeof runRecovery>
  const env = {
    AGENTFLEET_DISPATCH_PARTITIONS: '3',
    AGENTFLEET_WORKER_LEASE_MS: '1500',
    AGENTFLEET_RETRY_BASE_MS: '20',
    AGENTFLEET_RETRY_MAX_MS: '50',
    AGENTFLEET_WORKER_SHUTDOWN_MS: '3000',
    AGENTFLEET_WORKER_RESTART_MS: '100',
  }
  const completedOnce = (ids: readonly string[]) => ids.every((id) => collected.of('TaskCompleted', id).length === 1)

  beforeAll(async () => {
    h = await startHarness({ projector: false, env })
    execute = (await h.writeSide()).execute
    collected = await collectTaskEvents(h)
    recovery = runRecovery(h, execute, collected)
  })
  afterAll(async () => {
    await recovery?.stop()
    await collected?.stop()
    await h?.stop()
  })

  it('SIGKILL of a worker mid-task: the task is redelivered, recovered and completes exactly once', async () => {
    const workers = spawnWorkers(h, ['--pool', 'crash', '--max-agents', '4', '--scale-interval-ms', '300'])
    try {
      const ids = await Promise.all(
        [1, 2, 3].map(() => createTask(execute, { pool: 'crash', payload: { delayMs: 1_500 } }).then((r) => r.aggregateId)),
      )
      await waitFor(async () => ids.every((id) => collected.of('TaskStarted', id).length > 0), 'all three running', 20_000)
      const [victim] = await childrenOf(workers.pid)
      process.kill(victim!, 'SIGKILL')
      await waitFor(async () => completedOnce(ids), 'every task completed after the crash', 30_000).catch((e: unknown) => {
        throw new Error(
          `${(e as Error).message}: ${ids
            .map((id) =>
              collected.events
                .filter((x) => x.meta.aggregateId === id)
                .map((x) => x.type)
                .join(','),
            )
            .join(' | ')}`,
        )
      })
      for (const id of ids) {
        expect(collected.of('TaskCompleted', id)).toHaveLength(1)
        expect(collected.of('TaskLeaseExpired', id)).toHaveLength(1)
      }
      const restarted = await childrenOf(workers.pid)
      expect(restarted).not.toContain(victim)
      expect(restarted.length).toBe(1)
    } finally {
      expect(await stopProcess(workers)).toBe(0)
    }
  })

  it('SIGKILL of the primary: its workers leave, and a restarted group resumes the backlog', async () => {
    const first = spawnWorkers(h, ['--pool', 'primary', '--max-agents', '2', '--scale-interval-ms', '300'])
    const warm = (await createTask(execute, { pool: 'primary', payload: {} })).aggregateId
    await waitFor(async () => collected.of('TaskCompleted', warm).length === 1, 'the first group to run a task', 20_000)
    const orphans = await childrenOf(first.pid)
    first.kill('SIGKILL')
    await first.exited
    await waitFor(async () => orphans.every((pid) => !alive(pid)), 'the orphaned workers to exit', 15_000)
    const ids = await Promise.all(
      Array.from({ length: 10 }, () => createTask(execute, { pool: 'primary', payload: {} }).then((r) => r.aggregateId)),
    )
    const second = spawnWorkers(h, ['--pool', 'primary', '--max-agents', '2', '--scale-interval-ms', '300'])
    try {
      await waitFor(async () => completedOnce(ids), 'the restarted group to finish the backlog', 30_000)
      expect(collected.of('TaskCompleted', warm)).toHaveLength(1)
    } finally {
      expect(await stopProcess(second)).toBe(0)
    }
  })

  it('drains the CRITICAL lane before the lower ones when every lane has a backlog', async () => {
    const byLane = new Map<string, string[]>()
    for (const priority of TaskPriority) {
      byLane.set(
        priority,
        await Promise.all(
          Array.from({ length: 8 }, () =>
            createTask(execute, { pool: 'prio', priority, payload: { delayMs: 20 } }).then((r) => r.aggregateId),
          ),
        ),
      )
    }
    const all = [...byLane.values()].flat()
    const workers = spawnWorkers(h, ['--pool', 'prio', '--max-agents', '1', '--scale-interval-ms', '300'])
    try {
      await waitFor(async () => completedOnce(all), 'the whole backlog', 30_000)
      const order = collected
        .of('TaskCompleted')
        .map((e) => e.meta.aggregateId)
        .filter((id) => all.includes(id))
      const rank = (p: string) => byLane.get(p)!.map((id) => order.indexOf(id))
      expect(Math.max(...rank('CRITICAL'))).toBeLessThan(Math.min(...rank('LOW')))
      expect(Math.max(...rank('CRITICAL'))).toBeLessThan(Math.min(...rank('NORMAL')))
      const mean = (p: string) => rank(p).reduce((a, b) => a + b, 0) / 8
      expect(mean('CRITICAL')).toBeLessThan(mean('HIGH'))
      expect(mean('HIGH')).toBeLessThan(mean('NORMAL'))
      expect(mean('NORMAL')).toBeLessThan(mean('LOW'))
    } finally {
      expect(await stopProcess(workers)).toBe(0)
    }
  })

  it('a lag spike scales the group up at once and, after the stabilization window, back down; every task completes once', async () => {
    const created = await postJson(`${h.baseUrl}/api/v1/pools`, {
      name: 'scale',
      role: 'echo',
      handler: 'echo',
      minWorkers: 1,
      maxWorkers: 3,
      lagThreshold: 10,
      maxAgentsPerProcess: 2,
    })
    expect(created.status).toBe(201)
    const poolEvents = await collectTaskEvents(h, 'pool')
    const workers = spawnWorkers(h, [
      '--pool',
      'scale',
      '--min-workers',
      '1',
      '--max-workers',
      '3',
      '--lag-threshold',
      '10',
      '--max-agents',
      '2',
      '--scale-interval-ms',
      '300',
      '--scale-down-stabilization-ms',
      '2500',
    ])
    try {
      await waitFor(async () => (await childrenOf(workers.pid)).length === 1, 'one worker at rest', 20_000)
      const ids = await Promise.all(
        Array.from({ length: 90 }, (_, i) =>
          createTask(execute, { pool: 'scale', payload: { delayMs: 100, i } }).then((r) => r.aggregateId),
        ),
      )
      await waitFor(async () => (await childrenOf(workers.pid)).length === 3, 'three workers', 20_000)
      const listed = await waitFor(
        async () => {
          // A pool run from CLI flags alone has no pool row: 404 until its first process reports itself.
          const body = (await (await fetch(`${h.baseUrl}/api/v1/pools/scale/workers`)).json()) as { items?: { status: string }[] }
          return body.items?.length === 3 ? body.items : undefined
        },
        'GET /api/v1/pools/scale/workers to list three workers',
        10_000,
      )
      expect(listed.every((w) => ['starting', 'consuming'].includes(w.status))).toBe(true)
      await waitFor(async () => completedOnce(ids), 'every spiked task', 40_000)
      const agents = new Set(ids.flatMap((id) => collected.of('TaskStarted', id).map((e) => (e.data as { agentId: string }).agentId)))
      expect(agents.size).toBeGreaterThanOrEqual(2)
      await waitFor(async () => (await childrenOf(workers.pid)).length === 1, 'back to one worker', 20_000)
      for (const id of ids) expect(collected.of('TaskCompleted', id)).toHaveLength(1)
      const scaled = poolEvents.of('PoolScaled').map((e) => e.data as { fromWorkers: number; toWorkers: number; lag: number })
      expect(scaled.some((s) => s.toWorkers > s.fromWorkers && s.lag > 10)).toBe(true)
      expect(scaled.filter((s) => s.toWorkers < s.fromWorkers).every((s) => s.fromWorkers - s.toWorkers === 1)).toBe(true)
    } finally {
      expect(await stopProcess(workers)).toBe(0)
      await poolEvents.stop()
    }
  })
})
