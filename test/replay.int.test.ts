import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CreateTask } from '../src/commands/task/task.commands.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import { DomainError } from '../src/errors.ts'
import type { StoredEvent } from '../src/events/envelope.ts'
import { replay, type ReplayRange } from '../src/ops/replay.ts'
import { resolveReplayTarget } from '../src/ops/replay-target.ts'
import type { Reactor } from '../src/reactors/reactor.ts'
import { logEnd, startHarness, waitFor, type Harness } from './support/harness.ts'

const run = promisify(execFile)
const tasks = 30
const ctx = (id: string) => ({ commandId: id, correlationId: 'replay', causationId: null, actor: 'test' })
const create = (i: number): CreateTask => ({
  type: 'CreateTask',
  taskId: `rp-${i}`,
  commandId: `c${i}`,
  title: `task ${i}`,
  description: null,
  pool: 'replay',
  priority: 'HIGH',
  payload: { i },
  maxAttempts: 2,
  timeoutMs: 1000,
  projectId: null,
  workflowId: null,
  role: null,
  metadata: {},
  // waiting on a dependency: creating it is exactly one event
  dependsOn: ['upstream'],
})

describe('replay to one projection or one reactor', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ api: false })
    const w = await h.writeSide()
    await Promise.all(
      Array.from({ length: tasks }, async (_, i) => {
        await w.execute('task', `rp-${i}`, taskDecider, create(i), ctx(`c${i}`), { expectNew: true })
        await w.execute('task', `rp-${i}`, taskDecider, { type: 'ReportTaskProgress', percent: 40, message: 'p' }, ctx(`p${i}`))
      }),
    )
    // The projector group at the log end of the task topic, so that nothing moves while the tests compare.
    const end = await logEnd(h)
    await waitFor(async () => {
      const rows = await h.services.db
        .selectFrom('projector_checkpoints')
        .select(['next_offset'])
        .where('consumer', '=', 'main')
        .where('topic', '=', `${h.config.kafka.topicPrefix}.task.events`)
        .execute()
      return rows.reduce((n, r) => n + r.next_offset, 0) === end
    }, 'the projector group at the log end')
    const seeded = await h.services.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('version', '=', 2)
      .executeTakeFirstOrThrow()
    expect(Number(seeded.n)).toBe(tasks)
  })
  afterAll(async () => {
    await h?.stop()
  })

  const deps = () => ({ ...h.services, topicPrefix: h.config.kafka.topicPrefix })
  const toProjection = async (range: ReplayRange) => {
    const { target, close } = await resolveReplayTarget(h.services, { projection: 'tasks' })
    try {
      return await replay(deps(), target, range)
    } finally {
      await close()
    }
  }
  /** Everything replay could touch, for before/after comparisons. */
  const state = async () => ({
    tasks: await h.services.db.selectFrom('tasks').selectAll().orderBy('id').execute(),
    heads: await h.services.db.selectFrom('projector_stream_heads').selectAll().orderBy('consumer').orderBy('stream').execute(),
    snapshots: await h.services.db.selectFrom('aggregate_snapshots').selectAll().orderBy('stream').execute(),
    checkpoints: await h.services.db
      .selectFrom('projector_checkpoints')
      .select(['consumer', 'topic', 'partition', 'next_offset'])
      .orderBy('consumer')
      .orderBy('topic')
      .orderBy('partition')
      .execute(),
    conflicts: await h.services.db.selectFrom('event_conflicts').selectAll().execute(),
  })

  it('replaying the same range twice changes nothing', async () => {
    const before = await state()
    const first = await toProjection({})
    const second = await toProjection({})
    expect(first).toMatchObject({ read: tasks * 2, delivered: tasks * 2, applied: 0, duplicates: tasks * 2, conflicts: 0 })
    expect(second).toEqual(first)
    expect(await state()).toEqual(before)
  })

  it('repairs a lost row of one projection through the version gate, and only that projection', async () => {
    const before = await state()
    await h.services.db.deleteFrom('tasks').where('id', '=', 'rp-3').execute()
    const repaired = await toProjection({ aggregateId: 'rp-3' })
    expect(repaired).toMatchObject({ delivered: 2, applied: 2, duplicates: 0 })
    expect(await state()).toEqual(before)
    expect(await toProjection({ aggregateId: 'rp-3' })).toMatchObject({ delivered: 2, applied: 0, duplicates: 2 })
    expect(await state()).toEqual(before)
  })

  it('refuses a projection whose tables keep no per-stream version, pointing at rebuild, and changes nothing', async () => {
    const before = await state()
    const { target, close } = await resolveReplayTarget(h.services, { projection: 'queue-stats' })
    try {
      await expect(replay(deps(), target, {})).rejects.toMatchObject({
        code: 'replay.not-replayable',
        message: expect.stringContaining('agentfleet rebuild queue-stats'),
      })
    } finally {
      await close()
    }
    expect(await state()).toEqual(before)
  })

  it('reads exactly the offset, partition and time ranges asked for', async () => {
    const topic = `${h.config.kafka.topicPrefix}.task.events`
    const ends = await h.services.admin.fetchTopicOffsets(topic)
    const busiest = ends.reduce((a, b) => (Number(b.high) > Number(a.high) ? b : a))
    const r = await toProjection({ topic: 'task', partition: busiest.partition, fromOffset: 1, toOffset: 3 })
    expect(r.read).toBe(Math.min(3, Number(busiest.high) - 1))
    expect((await toProjection({ from: new Date(Date.now() + 60_000) })).read).toBe(0)
    expect((await toProjection({ from: new Date(Date.now() - 600_000), to: new Date() })).read).toBe(tasks * 2)
    await expect(toProjection({ topic: 'agent' })).rejects.toMatchObject({ code: 'replay.foreign-topic' })
  })

  it('re-delivers a range to one reactor, in log order per stream', async () => {
    const seen = new Map<string, StoredEvent>()
    const order: string[] = []
    const recorder: Reactor = {
      name: 'recorder',
      aggregates: ['task'],
      create: () => ({
        react: async (events) => {
          for (const event of events) {
            if (event.meta.aggregateId === 'rp-5') throw new DomainError('task.refused', 'refused on purpose')
            if (!seen.has(event.meta.eventId)) order.push(`${event.meta.aggregateId}@${event.meta.version}`)
            seen.set(event.meta.eventId, event)
          }
        },
      }),
    }
    const before = await state()
    const once = async () => {
      const { target, close } = await resolveReplayTarget(h.services, { reactor: 'recorder' }, [recorder])
      try {
        return await replay(deps(), target, {})
      } finally {
        await close()
      }
    }
    expect(await once()).toMatchObject({ read: tasks * 2, applied: tasks * 2 - 2, refused: 2 })
    expect(await once()).toMatchObject({ applied: tasks * 2 - 2, refused: 2 })
    expect(seen.size).toBe(tasks * 2 - 2)
    for (let i = 0; i < tasks; i++) {
      if (i !== 5) expect(order.indexOf(`rp-${i}@1`)).toBeLessThan(order.indexOf(`rp-${i}@2`))
    }
    expect(await state()).toEqual(before)
    await expect(resolveReplayTarget(h.services, { reactor: 'nobody' }, [recorder])).rejects.toMatchObject({ code: 'reactor.unknown' })
  })

  it('the CLI binary replays and reports', async () => {
    const { stdout } = await run(process.execPath, ['bin/agentfleet.js', 'replay', '--projection', 'tasks', '--aggregate-id', 'rp-1'], {
      env: { ...process.env, ...h.env },
    })
    expect(stdout).toMatch(/replayed to projection tasks: read \d+, delivered 2, applied 0, already applied 2/)
    const bad = await run(process.execPath, ['bin/agentfleet.js', 'replay', '--projection', 'tasks', '--reactor', 'x'], {
      env: { ...process.env, ...h.env },
    }).catch((e: { code: number; stderr: string }) => e)
    expect(bad).toMatchObject({ code: 1 })
    expect((bad as { stderr: string }).stderr).toContain('exactly one of --projection or --reactor')
  })
})
