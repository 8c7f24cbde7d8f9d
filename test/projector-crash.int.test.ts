import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CreateTask } from '../src/commands/task/task.commands.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import { startHarness, waitFor, type Harness } from './support/harness.ts'

const tasks = 1_500

const create = (i: number): CreateTask => ({
  type: 'CreateTask',
  taskId: `crash-${i}`,
  commandId: `c${i}`,
  title: `task ${i}`,
  description: null,
  pool: 'crash',
  priority: 'NORMAL',
  payload: { i },
  maxAttempts: 1,
  timeoutMs: 1000,
  projectId: null,
  workflowId: null,
  dependsOn: [],
  role: null,
  metadata: {},
})

describe('projector killed with SIGKILL mid-stream', () => {
  let h: Harness
  let child: ChildProcess | undefined
  beforeAll(async () => {
    h = await startHarness({ api: false, projector: false })
  })
  afterAll(async () => {
    child?.kill('SIGKILL')
    await h?.stop()
  })

  const startProjector = () => {
    const p = spawn(process.execPath, ['bin/agentfleet.js', 'projector'], {
      env: { ...process.env, ...h.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    child = p
    return p
  }
  const applied = async () =>
    Number(
      (
        await h.services.db
          .selectFrom('tasks')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('restarts from the Postgres checkpoint: every row exactly once, checkpoint at the log end', async () => {
    const { execute } = await h.writeSide()
    const ids: string[] = []
    // Each task gets a third event so a re-applied batch would show as a wrong version.
    await Promise.all(
      Array.from({ length: tasks }, async (_, i) => {
        const id = `crash-${i}`
        ids.push(id)
        await execute(
          'task',
          id,
          taskDecider,
          create(i),
          { commandId: `c${i}`, correlationId: 'x', causationId: null, actor: 't' },
          { expectNew: true },
        )
        await execute(
          'task',
          id,
          taskDecider,
          { type: 'ReportTaskProgress', percent: 50, message: `p${i}` },
          { commandId: `p${i}`, correlationId: 'x', causationId: null, actor: 't' },
        )
      }),
    )

    const first = startProjector()
    await waitFor(async () => (await applied()) > 0, 'the projector to apply a first batch', 60_000)
    first.kill('SIGKILL')
    await new Promise((r) => first.once('exit', r))
    const partial = await applied()

    const second = startProjector()
    const total = await waitFor(
      async () => {
        const rows = await h.services.db.selectFrom('tasks').select(['id', 'version', 'progress']).where('version', '=', 3).execute()
        return rows.length === tasks ? rows : undefined
      },
      'all rows at version 3 (created, queued, progress)',
      60_000,
    )
    second.kill('SIGTERM')
    await new Promise((r) => second.once('exit', r))

    expect(partial).toBeLessThanOrEqual(tasks)
    expect(await applied()).toBe(tasks)
    expect(new Set(total.map((r) => r.id))).toEqual(new Set(ids))
    expect(total.every((r) => r.progress === 50)).toBe(true)

    const topic = `${h.config.kafka.topicPrefix}.task.events`
    const ends = await h.services.admin.fetchTopicOffsets(topic)
    const checkpoints = await h.services.db
      .selectFrom('projector_checkpoints')
      .select(['partition', 'next_offset'])
      .where('consumer', '=', 'main')
      .where('topic', '=', topic)
      .execute()
    for (const end of ends.filter((e) => Number(e.high) > 0)) {
      expect(checkpoints.find((c) => c.partition === end.partition)?.next_offset, `partition ${end.partition}`).toBe(Number(end.high))
    }
    expect(await h.services.db.selectFrom('event_conflicts').selectAll().execute()).toEqual([])
  })
})
