import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TaskCommand } from '../src/commands/task/task.commands.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { TaskState } from '../src/commands/task/task.state.ts'
import type { StoredEvent } from '../src/events/envelope.ts'
import { applyToGroup } from '../src/projections/group-apply.ts'
import { replayable, replayToProjection } from '../src/projections/replay-gate.ts'
import { projections } from '../src/projections/catalog.ts'
import type { Database } from '../src/database/schema.ts'
import { startHarness, type Harness } from './support/harness.ts'

const create = (id: string, dependsOn: string[] = []): TaskCommand => ({
  type: 'CreateTask',
  taskId: id,
  commandId: `create-${id}`,
  title: `task ${id}`,
  description: null,
  pool: 'replay',
  role: null,
  priority: 'HIGH',
  payload: { id },
  metadata: { id },
  maxAttempts: 2,
  timeoutMs: 1000,
  projectId: null,
  workflowId: null,
  dependsOn,
})

/** Runs commands through the decider and returns the events as the log would hold them. */
function history(topic: string, scripts: Record<string, TaskCommand[]>): StoredEvent[] {
  const out: StoredEvent[] = []
  let clock = 1_700_000_000_000
  for (const [id, commands] of Object.entries(scripts)) {
    let state: TaskState = taskDecider.initialState()
    let version = 0
    for (const command of commands) {
      for (const event of taskDecider.decide(command, state)) {
        const meta = {
          eventId: `${id}-${++version}`,
          aggregateId: id,
          version,
          occurredAt: ++clock,
          commandId: `c-${id}-${version}`,
          correlationId: 'replay',
          causationId: null,
          actor: 'test',
        }
        state = taskDecider.evolve(state, event, meta)
        out.push({ ...event, meta, aggregateType: 'task', position: { topic, partition: 0, offset: String(out.length) } } as StoredEvent)
      }
    }
  }
  return out
}

describe('projection replay safety', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ api: false, projector: false, reactors: false })
  })
  afterAll(async () => {
    await h?.stop()
  })

  const tables = [
    'tasks',
    'task_dependencies',
    'task_attempts',
    'aggregate_events',
    'aggregate_snapshots',
    'projector_stream_heads',
    'event_conflicts',
  ] as const
  const dump = async (tx: Kysely<Database>) => {
    const out: Record<(typeof tables)[number], Record<string, unknown>[]> = {
      tasks: [],
      task_dependencies: [],
      task_attempts: [],
      aggregate_events: [],
      aggregate_snapshots: [],
      projector_stream_heads: [],
      event_conflicts: [],
    }
    for (const t of tables) out[t] = (await sql<Record<string, unknown>>`select * from ${sql.table(t)} order by 1, 2`.execute(tx)).rows
    return out
  }

  it('applying the same batch twice, with or without its checkpoint, changes nothing; nor does replaying it to one projection', async () => {
    const topic = `${h.config.kafka.topicPrefix}.task.events`
    const events = history(topic, {
      a: [
        create('a'),
        { type: 'ClaimTask', agentId: 'ag', leaseMs: 1000, now: 1 },
        { type: 'StartTask', agentId: 'ag', dispatchVersion: null, leaseEpoch: 1 },
        { type: 'ReportTaskProgress', percent: 50, message: 'half' },
        { type: 'CompleteTask', agentId: 'ag', leaseEpoch: 1, result: { ok: 1 }, now: 2 },
      ],
      b: [
        create('b', ['a']),
        { type: 'AddTaskDependency', taskId: 'b', dependencyId: 'c' },
        { type: 'ResolveTaskDependency', dependencyId: 'a' },
        { type: 'RemoveTaskDependency', dependencyId: 'c' },
        { type: 'StartTask', agentId: 'w', dispatchVersion: null, leaseEpoch: null },
        { type: 'RequestTaskInput', requestId: 'r1', question: '?', leaseEpoch: 1 },
        { type: 'ProvideTaskInput', requestId: 'r1', response: 'yes' },
        { type: 'CancelTask', reason: 'enough' },
      ],
      c: [
        create('c'),
        { type: 'StartTask', agentId: 'w', dispatchVersion: null, leaseEpoch: null },
        { type: 'FailTask', agentId: 'w', leaseEpoch: 1, error: 'e1', retryable: true, now: 3, retryDelayMs: 10 },
        { type: 'QueueTaskRetry', attempt: 2 },
        { type: 'StartTask', agentId: 'w', dispatchVersion: null, leaseEpoch: null },
        { type: 'ExpireTaskLease', leaseEpoch: 2, now: 4, retryDelayMs: 10 },
        { type: 'PurgeTask', reason: 'gone' },
      ],
    })
    expect(events.length).toBeGreaterThan(20)

    const group = { consumer: 'main', projections }
    const batch = [{ topic, partition: 0, events, nextOffset: events.length }]
    await h.services.db.transaction().execute(async (tx) => {
      expect((await applyToGroup(tx, group, batch)).applied).toBe(events.length)
      const once = await dump(tx)
      expect(once.tasks).toHaveLength(3)
      expect(once.aggregate_events).toHaveLength(events.length)
      expect(once.task_attempts.length).toBeGreaterThanOrEqual(5)
      expect(once.task_dependencies).toEqual([{ task_id: 'b', depends_on_id: 'a', resolved: true }])
      expect(once.tasks.map((r) => [r.id, r.status])).toEqual([
        ['a', 'completed'],
        ['b', 'cancelled'],
        ['c', 'dead_lettered'],
      ])

      expect(await applyToGroup(tx, group, batch)).toMatchObject({ applied: 0, skipped: events.length })
      expect(await dump(tx)).toEqual(once)

      // Without the checkpoint, the group's stream heads alone keep the batch from applying twice.
      await tx.deleteFrom('projector_checkpoints').execute()
      expect(await applyToGroup(tx, group, batch)).toMatchObject({ applied: 0, skipped: 0, duplicates: events.length })
      expect(await dump(tx)).toEqual(once)

      // A replay to one projection is gated by that projection's own rows.
      for (const p of projections.filter(replayable)) {
        const outcome = await replayToProjection(tx, p, events)
        expect([outcome.applied, outcome.gaps], p.name).toEqual([0, 0])
      }
      expect(await dump(tx)).toEqual(once)
    })
  })
})
