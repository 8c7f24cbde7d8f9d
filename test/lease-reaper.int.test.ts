import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { ExistingTask } from '../src/commands/task/task.state.ts'
import type { WriteSide } from '../src/commands/write-side.ts'
import { createTaskLeases } from '../src/leases/task-leases.ts'
import { heldTasksUnchangedSince } from '../src/projections/tasks/held-tasks.queries.ts'
import { createLeaseReaper } from '../src/queue/lease-reaper.ts'
import { postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { readStream } from './support/read-log.ts'

describe('lease reaper: held tasks without a run lease', () => {
  let h: Harness
  let w: WriteSide
  const ctx = (commandId: string) => ({ commandId, correlationId: commandId, causationId: null, actor: 'test' })

  /** A task started by `agentId` whose holder never granted (or lost) its run lease. */
  const startedWithoutLease = async (title: string) => {
    const { id } = (await (await postJson(`${h.baseUrl}/api/v1/tasks`, { title, pool: 'sweep' })).json()) as { id: string }
    const claimed = await w.execute(
      'task',
      id,
      taskDecider,
      { type: 'ClaimTask', agentId: 'gone', leaseMs: 1_000, now: Date.now() },
      ctx(`claim-${id}`),
    )
    const epoch = (claimed.state as ExistingTask).leaseEpoch
    await w.execute(
      'task',
      id,
      taskDecider,
      { type: 'StartTask', agentId: 'gone', dispatchVersion: null, leaseEpoch: epoch },
      ctx(`start-${id}`),
    )
    return { id, epoch }
  }

  beforeAll(async () => {
    h = await startHarness({ pools: ['sweep'], queueLoops: [] })
    w = await h.writeSide()
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('expires a running task that has no lease, and leaves one whose lease is held alone', async () => {
    const orphan = await startedWithoutLease('orphaned between start and grant')
    const leased = await startedWithoutLease('holds its lease')
    const leases = createTaskLeases({ redis: h.services.redis, prefix: h.config.redis.prefix })
    await leases.grant({ taskId: leased.id, epoch: leased.epoch, holder: 'gone', pool: 'sweep', expiresAt: Date.now() + 60_000 })
    await waitFor(async () => {
      const held = await heldTasksUnchangedSince(h.services.db, new Date(Date.now() + 1_000), 100)
      return [orphan.id, leased.id].every((id) => held.some((t) => t.id === id))
    }, 'both tasks running in the read model')

    const reaper = createLeaseReaper({
      execute: w.execute,
      leases,
      retryPolicy: { baseMs: 100, maxMs: 1_000 },
      intervalMs: 60_000,
      clock: Date.now,
      random: Math.random,
      logger: pino({ level: 'silent' }),
      unleased: { find: (before, limit) => heldTasksUnchangedSince(h.services.db, before, limit), olderThanMs: 0, everyMs: 0 },
    })
    expect(await reaper.runOnce()).toBeGreaterThanOrEqual(1)

    const orphanLog = (await readStream(h, 'task', orphan.id)).map((e) => e.type)
    expect(orphanLog.slice(-2)).toEqual(['TaskLeaseExpired', 'TaskRetryScheduled'])
    expect((await readStream(h, 'task', leased.id)).map((e) => e.type)).not.toContain('TaskLeaseExpired')
  })
})
