import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandHandler } from '../src/commands/handle-command.ts'
import { startHarness, waitFor, type Harness } from './support/harness.ts'
import { readEvents } from './support/read-events.ts'
import { childrenOf, createTask, spawnWorkers, stopProcess } from './support/workers.ts'

const pool = 'shared'
const maxWorkers = 4

describe('two primaries of one pool (real processes)', () => {
  let h: Harness
  let execute: CommandHandler
  beforeAll(async () => {
    h = await startHarness({ api: false, env: { AGENTFLEET_DISPATCH_PARTITIONS: '4', AGENTFLEET_WORKER_SHUTDOWN_MS: '3000' } })
    await h.createPools([pool], 'workers')
    execute = (await h.writeSide()).execute
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('share one pool-wide target: never more than maxWorkers processes in all, each primary runs its part, one PoolScaled per decision', async () => {
    const flags = ['--pool', pool, '--min-workers', '1', '--max-workers', String(maxWorkers), '--max-agents', '2']
    const scaling = ['--lag-threshold', '4', '--scale-interval-ms', '500', '--scale-down-stabilization-ms', '2000']
    const primaries = [spawnWorkers(h, [...flags, ...scaling]), spawnWorkers(h, [...flags, ...scaling])]
    try {
      /** Worker processes of each primary that are not draining, from the processes' own heartbeat rows. */
      const activeOf = async () => {
        const draining = new Set(
          (
            await h.services.db
              .selectFrom('worker_processes')
              .select('pid')
              .where('pool', '=', pool)
              .where('status', '=', 'draining')
              .execute()
          ).map((r) => r.pid),
        )
        return Promise.all(primaries.map(async (p) => (await childrenOf(p.pid)).filter((pid) => !draining.has(pid)).length))
      }
      // Both primaries are members: the minimum of one process runs once, on one of them.
      await waitFor(async () => (await activeOf()).reduce((a, b) => a + b, 0) === 1, 'one process for the pool (minWorkers 1)', 30_000)

      // A lag spike: 120 tasks of 150 ms each.
      await Promise.all(Array.from({ length: 120 }, () => createTask(execute, { pool, payload: { delayMs: 150 } })))
      const timeline: { at: number; perPrimary: number[]; lag: number }[] = []
      /** The group's lag as the scaler last recorded it on the pool's process rows. */
      const lag = async () =>
        Number(
          (
            await h.services.db
              .selectFrom('worker_processes')
              .select((eb) => eb.fn.max('lag').as('lag'))
              .where('pool', '=', pool)
              .executeTakeFirst()
          )?.lag ?? 0,
        )
      const began = Date.now()
      let done = false
      const sampler = (async () => {
        while (!done) {
          timeline.push({ at: Date.now() - began, perPrimary: await activeOf(), lag: await lag() })
          await new Promise((r) => setTimeout(r, 250))
        }
      })()
      await waitFor(
        async () => (await readEvents(h, 'task')).filter((e) => e.type === 'TaskCompleted').length >= 120,
        'the 120 tasks completed',
        90_000,
      )
      done = true
      await sampler

      const totals = timeline.map((s) => s.perPrimary.reduce((a, b) => a + b, 0))
      console.info(
        `[primaries] active processes per primary over time: ${timeline.map((s) => `${s.at}ms lag ${s.lag}: ${s.perPrimary.join('+')}`).join(', ')}`,
      )
      expect(Math.max(...totals)).toBeLessThanOrEqual(maxWorkers)
      // The spike scaled the pool out across both hosts' primaries.
      expect(Math.max(...totals)).toBeGreaterThan(2)
      expect(timeline.some((s) => s.perPrimary.every((n) => n > 0))).toBe(true)
      // Decisions are recorded once each, by the one scaler: each PoolScaled starts where the previous ended.
      const scaled = (await readEvents(h, 'pool')).filter((e) => e.meta.aggregateId === pool && e.type === 'PoolScaled')
      expect(scaled.length).toBeGreaterThan(0)
      for (const [i, e] of scaled.entries()) {
        const data = e.data as { fromWorkers: number; toWorkers: number }
        expect(data.toWorkers).toBeLessThanOrEqual(maxWorkers)
        if (i > 0) expect(data.fromWorkers).toBe((scaled[i - 1]!.data as { toWorkers: number }).toWorkers)
      }
    } finally {
      await Promise.all(primaries.map((p) => stopProcess(p)))
    }
  })
})
