import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startConfiguredMetricsSnapshots } from '../src/cli/system.cli.ts'
import type { CommandContext } from '../src/commands/handle-command.ts'
import type { CreateTask, TaskCommand } from '../src/commands/task/task.commands.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { ExistingTask } from '../src/commands/task/task.state.ts'
import type { StoredEvent } from '../src/events/envelope.ts'
import type { TaskEvent } from '../src/events/generated/event-types.ts'
import { applyToGroup } from '../src/projections/group-apply.ts'
import { projections } from '../src/projections/catalog.ts'
import { queueStatsProjection } from '../src/projections/queue-stats/queue-stats.projection.ts'
import { takeMetricsSnapshot } from '../src/projections/system/metrics-snapshots.ts'
import type { SystemStatus } from '../src/projections/system/system-status.queries.ts'
import { logEnd, startHarness, waitFor, type Harness } from './support/harness.ts'

const ctx = (): CommandContext => ({
  commandId: `cmd-${Math.random().toString(36).slice(2)}`,
  correlationId: 'sys',
  causationId: null,
  actor: 'test',
})
const createTask = (id: string): CreateTask => ({
  type: 'CreateTask',
  taskId: id,
  commandId: `create-${id}`,
  title: id,
  description: null,
  pool: 'sys',
  role: null,
  priority: 'NORMAL',
  payload: {},
  metadata: {},
  maxAttempts: 3,
  timeoutMs: 60_000,
  projectId: null,
  workflowId: null,
  dependsOn: [],
})

/** A synthetic batch as the runner would hand it over, on a topic of its own. */
const batch = (at: number, firstOffset: number, ids: readonly string[] = []): StoredEvent[] => {
  const events: TaskEvent[] = [
    {
      type: 'TaskCreated',
      data: {
        title: 'r',
        description: null,
        pool: 'replay',
        role: null,
        priority: 'HIGH',
        payload: '{}',
        maxAttempts: 3,
        timeoutMs: 1,
        projectId: null,
        workflowId: null,
        dependsOn: [],
        metadata: '{}',
      },
    },
    { type: 'TaskQueued', data: { attempt: 1, reason: 'created', pool: 'replay', priority: 'HIGH' } },
    { type: 'TaskStarted', data: { agentId: 'a', attempt: 1, leaseEpoch: 1 } },
    { type: 'TaskCompleted', data: { agentId: 'a', attempt: 1, result: 'null', durationMs: 0 } },
  ]
  return events.map((e, i) => ({
    ...e,
    aggregateType: 'task',
    position: { topic: 'replay-check', partition: 0, offset: String(firstOffset + i) },
    meta: {
      eventId: ids[i] ?? `replay-${i + 1}`,
      aggregateId: 'r1',
      version: i + 1,
      occurredAt: at + i * 1_000,
      commandId: 'c',
      correlationId: 'c',
      causationId: null,
      actor: 't',
    },
  })) as StoredEvent[]
}

describe('system status, replay safety and metrics snapshots against the real stack', () => {
  let h: Harness
  let execute: Awaited<ReturnType<Harness['writeSide']>>['execute']
  const run = async (id: string, c: TaskCommand) =>
    (await execute('task', id, taskDecider, c, ctx(), { expectNew: c.type === 'CreateTask' })).state as ExistingTask
  const getJson = async <T>(path: string) => {
    const res = await fetch(`${h.baseUrl}${path}`)
    expect(res.status, path).toBe(200)
    return (await res.json()) as T
  }
  const statsOf = async (pool: string) => {
    const counters = await h.services.db.selectFrom('queue_stats_counters').selectAll().where('pool', '=', pool).execute()
    const minutes = await h.services.db.selectFrom('queue_stats_minutes').selectAll().where('pool', '=', pool).orderBy('minute').execute()
    const tasks = await h.services.db.selectFrom('queue_stats_tasks').selectAll().where('pool', '=', pool).execute()
    return { counters, minutes, tasks }
  }

  beforeAll(async () => {
    h = await startHarness({ env: { AGENTFLEET_METRICS_SNAPSHOT_INTERVAL_MS: '300', AGENTFLEET_METRICS_RETENTION_DAYS: '30' } })
    execute = (await h.writeSide()).execute
    await run('s1', createTask('s1'))
    await run('s2', createTask('s2'))
    const s2 = await run('s2', { type: 'StartTask', agentId: 'w', dispatchVersion: null, leaseEpoch: null })
    await run('s2', { type: 'CompleteTask', agentId: 'w', leaseEpoch: s2.leaseEpoch, result: null, now: Date.now() })
    await run('s3', createTask('s3'))
    await run('s3', { type: 'CancelTask', reason: 'no longer needed' })
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('applies a batch once: the same batch again, or redelivered at new offsets, changes nothing', async () => {
    const at = Date.now() - 10_000
    // A group of its own (queue-stats alone) on a topic of its own, as a projector runner would apply it.
    const group = { consumer: 'stats-check', projections: [queueStatsProjection] }
    const apply = (events: readonly StoredEvent[]) =>
      h.services.db
        .transaction()
        .execute((tx) =>
          applyToGroup(tx, group, [
            { topic: 'replay-check', partition: 0, events, nextOffset: Number(events[events.length - 1]!.position.offset) + 1 },
          ]),
        )
    expect((await apply(batch(at, 0))).applied).toBe(4)
    const once = await statsOf('replay')
    expect(once.counters).toEqual([expect.objectContaining({ depth: 0, in_flight: 0, completed: 1 })])
    expect(once.minutes.reduce((n, m) => n + m.completed, 0)).toBe(1)
    expect(once.minutes.reduce((n, m) => n + m.wait_count + m.exec_count, 0)).toBe(2)
    expect(once.tasks).toEqual([])

    expect(await apply(batch(at, 0))).toMatchObject({ applied: 0, skipped: 4 })
    expect(await statsOf('replay')).toEqual(once)
    // Redelivered at new offsets (past the checkpoint): the stream heads hold them back.
    const redelivered = await apply(batch(at, 10))
    expect(redelivered).toMatchObject({ applied: 0, duplicates: 4 })
    expect(await statsOf('replay')).toEqual(once)
    // Same version, another event id: a second writer's event is a conflict, never counted.
    const conflicting = await apply(batch(at, 20, ['x1', 'x2', 'x3', 'other-writer']).slice(3))
    expect(conflicting.conflicts).toHaveLength(1)
    expect(await statsOf('replay')).toEqual(once)
  })

  it('GET /api/v1/system/status counts tasks by status, conflicts and projection checkpoints', async () => {
    // Only projections of task events have seen anything in this test.
    const taskProjections = projections.filter((p) => p.aggregates.includes('task')).map((p) => p.name)
    const status = await waitFor(async () => {
      const s = await getJson<SystemStatus & { generatedAt: string }>('/api/v1/system/status')
      return s.tasks.total === 3 &&
        s.tasks.byStatus.completed === 1 &&
        s.tasks.byStatus.cancelled === 1 &&
        s.projections.filter((p) => taskProjections.includes(p.name)).every((p) => p.lastUpdatedAt !== null)
        ? s
        : undefined
    }, 'the tasks read model and every projection checkpoint')
    expect(status.tasks.byStatus).toEqual({ queued: 1, completed: 1, cancelled: 1 })
    expect(status.conflicts.count).toBe(1)
    expect(status.conflicts.latest[0]).toMatchObject({
      group: 'stats-check',
      stream: 'task:r1',
      kind: 'duplicate-version',
      eventId: 'other-writer',
      version: 4,
    })
    const names = status.projections.map((p) => p.name)
    for (const name of ['snapshots', 'tasks', 'queue-stats']) expect(names).toContain(name)
    const tasksProjection = status.projections.find((p) => p.name === 'tasks')
    expect(tasksProjection?.partitions.reduce((n, p) => n + p.nextOffset, 0)).toBe(await logEnd(h))
    const { rows } = await sql<{
      table_name: string
    }>`select table_name from information_schema.tables where table_schema = current_schema()`.execute(h.services.db)
    const tables = new Set(rows.map((r) => r.table_name))
    expect(status.agents === null).toBe(!tables.has('agents'))
    expect(status.pools === null).toBe(!tables.has('pools'))
  })

  it('writes metrics snapshots on the interval, serves them as history and prunes past the retention', async () => {
    const old = await takeMetricsSnapshot({
      db: h.services.db,
      logger: h.services.logger,
      intervalMs: 300,
      retentionDays: 30,
      placements: [],
      clock: () => Date.now() - 40 * 86_400_000,
    })
    expect(old.written).toBe(true)
    const loop = startConfiguredMetricsSnapshots(h.services)
    try {
      const history = await waitFor(
        async () => {
          const r = await getJson<{
            items: { takenAt: string; data: { tasks: { total: number }; queue: { totals: { completed: number } } } }[]
          }>('/api/v1/system/metrics/history?limit=1000')
          const pruned = r.items.every((i) => i.takenAt !== old.takenAt.toISOString())
          return r.items.length >= 2 && pruned && r.items[r.items.length - 1]?.data.queue.totals.completed === 2 ? r : undefined
        },
        'two snapshots with both completions, and the old one pruned',
        10_000,
      )
      const last = history.items[history.items.length - 1]!
      expect(last.data.tasks.total).toBe(3)
      expect(last.data.queue.totals.completed).toBe(2)
      const times = history.items.map((i) => Date.parse(i.takenAt))
      expect([...times].sort((a, b) => a - b)).toEqual(times)
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(300)

      const latestOnly = await getJson<{ items: { takenAt: string }[] }>('/api/v1/system/metrics/history?limit=1')
      expect(latestOnly.items).toHaveLength(1)
      const future = new Date(Date.now() + 86_400_000).toISOString()
      expect((await getJson<{ items: unknown[] }>(`/api/v1/system/metrics/history?from=${encodeURIComponent(future)}`)).items).toEqual([])
      const to = encodeURIComponent(history.items[0]!.takenAt)
      expect(
        (await getJson<{ items: { takenAt: string }[] }>(`/api/v1/system/metrics/history?to=${to}`)).items.map((i) => i.takenAt),
      ).toEqual([history.items[0]!.takenAt])
    } finally {
      await loop.stop()
    }
    const before = await h.services.db
      .selectFrom('metrics_snapshots')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    for (const query of ['from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', 'limit=0', 'limit=5000', 'from=yesterday']) {
      const res = await fetch(`${h.baseUrl}/api/v1/system/metrics/history?${query}`)
      expect(res.status, query).toBe(400)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
    }
    const after = await h.services.db
      .selectFrom('metrics_snapshots')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    expect(after.n).toEqual(before.n)
  })
})
