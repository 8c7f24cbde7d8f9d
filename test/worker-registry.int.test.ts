import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { childrenOf, running, spawnWorkers, stopProcess } from './support/workers.ts'

const heartbeatMs = 300

type Listed = { items: { workerId: string; pid: number; status: string; lastSeenAt: string }[] }

/** The registry read over the API, as an operator sees it. */
describe('the worker process registry tells the truth (real forked processes)', () => {
  let h: Harness
  const listed = async (pool: string) => ((await (await fetch(`${h.baseUrl}/api/v1/pools/${pool}/workers`)).json()) as Listed).items
  const poolView = async (pool: string) => (await (await fetch(`${h.baseUrl}/api/v1/pools/${pool}`)).json()) as { workers: number }

  beforeAll(async () => {
    h = await startHarness({
      env: {
        AGENTFLEET_DISPATCH_PARTITIONS: '2',
        AGENTFLEET_WORKER_HEARTBEAT_MS: String(heartbeatMs),
        AGENTFLEET_WORKER_SHUTDOWN_MS: '2000',
        AGENTFLEET_WORKER_RESTART_MS: '100',
      },
    })
    expect((await postJson(`${h.baseUrl}/api/v1/pools`, { name: 'reg', role: 'echo', minWorkers: 2, maxWorkers: 2 })).status).toBe(201)
    await waitFor(async () => (await fetch(`${h.baseUrl}/api/v1/pools/reg`)).ok, 'the pool in the read model')
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('lists each live process as it reports itself, drops a killed one within seconds, and counts what runs', async () => {
    const primary = spawnWorkers(h, ['--pool', 'reg', '--min-workers', '2', '--max-workers', '2', '--scale-interval-ms', '300'])
    try {
      // Both processes report themselves as consuming, with their own pids.
      const first = await waitFor(async () => {
        const items = await listed('reg')
        return items.length === 2 && items.every((w) => w.status === 'consuming') && items
      }, 'two consuming workers listed')
      const pids = await childrenOf(primary.pid)
      expect(first.map((w) => w.pid).sort()).toEqual([...pids].sort())
      expect((await poolView('reg')).workers).toBe(2)

      // Heartbeats keep them fresh while nothing happens.
      const seen = Date.parse(first[0]!.lastSeenAt)
      await waitFor(async () => (await listed('reg')).some((w) => Date.parse(w.lastSeenAt) > seen), 'a later heartbeat')

      // A worker killed outright: its row goes (the primary sees the exit); the replacement reports itself.
      const victim = first[0]!.pid
      process.kill(victim, 'SIGKILL')
      const afterKill = await waitFor(
        async () => {
          const items = await listed('reg')
          return !items.some((w) => w.pid === victim) && items.length === 2 && items.every((w) => w.status === 'consuming') && items
        },
        'the killed worker gone and its replacement consuming',
        15_000,
      )
      expect(afterKill.every((w) => running(w.pid))).toBe(true)

      // The primary killed outright: nobody deletes rows for it, its workers drain and remove their own.
      const orphans = afterKill.map((w) => w.pid)
      process.kill(primary.pid!, 'SIGKILL')
      const began = Date.now()
      await waitFor(async () => (await listed('reg')).length === 0, 'every worker of the killed primary gone from the list', 15_000)
      expect(Date.now() - began).toBeLessThan(2_000 + 3 * heartbeatMs + 3_000)
      await waitFor(async () => orphans.every((pid) => !running(pid)), 'the orphaned workers to exit')
      expect((await poolView('reg')).workers).toBe(0)
    } finally {
      await stopProcess(primary, 'SIGKILL')
    }
  })

  it('a row a process stopped refreshing is not listed once it expires, with no one to delete it', async () => {
    // A process frozen or cut off from the database stops refreshing; nothing deletes its row.
    await h.services.db
      .insertInto('worker_processes')
      .values({
        worker_id: 'frozen-1',
        pool: 'reg',
        host: 'elsewhere',
        pid: 1,
        status: 'consuming',
        in_flight: 3,
        lag: 0,
        started_at: new Date(),
        last_seen_at: new Date(),
        expires_at: new Date(Date.now() + 1_500),
      })
      .execute()
    expect((await listed('reg')).map((w) => w.workerId)).toEqual(['frozen-1'])
    expect((await poolView('reg')).workers).toBe(1)
    await waitFor(async () => (await listed('reg')).length === 0, 'the silent row to expire', 5_000)
    expect((await poolView('reg')).workers).toBe(0)
  })
})
