import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CreateTask } from '../src/commands/task/task.commands.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { WriteSide } from '../src/commands/write-side.ts'
import { rebuildProjection } from '../src/projections/rebuild/rebuild.ts'
import { projections } from '../src/projections/catalog.ts'
import { dropSchema } from '../src/database/ddl-lock.ts'
import { tasksProjection } from '../src/projections/tasks/tasks.projection.ts'
import { startHarness, waitFor, type Harness } from './support/harness.ts'

const ctx = (id: string) => ({ commandId: id, correlationId: 'rebuild', causationId: null, actor: 'test' })
const create = (i: number, taskId: string): CreateTask => ({
  type: 'CreateTask',
  taskId,
  commandId: `c${i}`,
  title: `task ${i}`,
  description: null,
  pool: 'rebuild',
  priority: 'NORMAL',
  payload: { i },
  maxAttempts: 1,
  timeoutMs: 1000,
  projectId: null,
  workflowId: null,
  role: null,
  metadata: {},
  // waiting on a dependency: creating it is exactly one event
  dependsOn: ['upstream'],
})

describe('blue/green rebuild while commands keep flowing', () => {
  let h: Harness
  let w: WriteSide
  /** the version each task reached in the log, from the command results */
  const versions = new Map<string, number>()
  beforeAll(async () => {
    h = await startHarness({ api: false })
    w = await h.writeSide()
  })
  afterAll(async () => {
    await h?.stop()
  })

  const topic = () => `${h.config.kafka.topicPrefix}.task.events`
  const append = async (id: string, kind: 'create' | 'progress', i: number) => {
    const r =
      kind === 'create'
        ? await w.execute('task', id, taskDecider, create(i, id), ctx(`c-${id}`), { expectNew: true })
        : await w.execute('task', id, taskDecider, { type: 'ReportTaskProgress', percent: i % 100, message: `m${i}` }, ctx(`p-${id}-${i}`))
    versions.set(id, Math.max(versions.get(id) ?? 0, r.version))
  }
  const liveAtLogEnd = async () => {
    const ends = await h.services.admin.fetchTopicOffsets(topic())
    const cps = await h.services.db
      .selectFrom('projector_checkpoints')
      .select(['partition', 'next_offset'])
      .where('consumer', '=', 'main')
      .where('topic', '=', topic())
      .execute()
    return ends.every((e) => Number(e.high) === 0 || cps.find((c) => c.partition === e.partition)?.next_offset === Number(e.high))
  }

  it('swaps in a table equal to the fold of the log; no event lost or applied twice; the live projector carries on', async () => {
    const seed = 2_000
    for (let i = 0; i < seed; i += 200) {
      await Promise.all(Array.from({ length: 200 }, (_, j) => append(`rb-${i + j}`, 'create', i + j)))
    }
    await Promise.all(Array.from({ length: seed }, (_, i) => append(`rb-${i}`, 'progress', i)))
    await waitFor(liveAtLogEnd, 'the live projector to reach the log end', 60_000)
    // A read model gone wrong: the rebuild must put the log's truth back.
    await h.services.db.updateTable('tasks').set({ title: 'corrupted' }).where('id', '=', 'rb-7').execute()

    let stop = false
    let written = 0
    const load = (async () => {
      for (let n = 0; !stop; n++) {
        await Promise.all(
          Array.from({ length: 20 }, (_, j) =>
            j % 2 === 0
              ? append(`rb-live-${n}-${j}`, 'create', seed + n * 20 + j)
              : append(`rb-${(n * 20 + j) % seed}`, 'progress', n * 20 + j),
          ),
        )
        written += 20
      }
    })()

    try {
      const dry = await rebuildProjection(h.services, 'main', tasksProjection, { dryRun: true })
      const tasksDiff = dry.diff?.find((d) => d.table === 'tasks')
      expect(tasksDiff?.differing).toBe(1)
      expect(tasksDiff?.sample[0]?.key).toEqual({ id: 'rb-7' })
      expect((tasksDiff!.sample[0]!.live as { title: string }).title).toBe('corrupted')
      expect((tasksDiff!.sample[0]!.rebuilt as { title: string }).title).toBe('task 7')

      const before = written
      const report = await rebuildProjection(h.services, 'main', tasksProjection)
      expect(report.swapped).toBe(true)
      expect(written, 'commands kept flowing during the rebuild').toBeGreaterThan(before)
      // The live projector keeps applying new events to the swapped-in table.
      await waitFor(async () => written > before + 200, 'more commands after the swap', 30_000)
    } finally {
      stop = true
      await load
    }
    await append('rb-after-swap', 'create', 999_999)
    await waitFor(liveAtLogEnd, 'the live projector to reach the log end after the swap', 60_000)
    expect(await h.services.db.selectFrom('tasks').select('title').where('id', '=', 'rb-after-swap').executeTakeFirst()).toEqual({
      title: 'task 999999',
    })

    // Every stream at exactly the version the log holds: nothing lost, nothing applied twice.
    const rows = await h.services.db.selectFrom('tasks').select(['id', 'version', 'title']).execute()
    const streamHeads = await h.services.db
      .selectFrom('projector_stream_heads')
      .select(['stream', 'version'])
      .where('consumer', '=', 'main')
      .where('stream', 'like', 'task:%')
      .execute()
    expect(new Map(rows.map((r) => [r.id, r.version]))).toEqual(versions)
    expect(new Map(streamHeads.map((r) => [r.stream.slice('task:'.length), r.version]))).toEqual(versions)
    expect(rows.find((r) => r.id === 'rb-7')?.title).toBe('task 7')
    expect(await h.services.db.selectFrom('event_conflicts').selectAll().execute()).toEqual([])

    // A second rebuild (dry run) folds the whole log again and finds nothing to change.
    const again = await rebuildProjection(h.services, 'main', tasksProjection, { dryRun: true })
    expect(again.diff?.map((d) => [d.table, d.differing])).toEqual([['tasks', 0]])
    expect(again.diff?.[0]?.liveRows).toBe(versions.size)

    // No shadow or old schema is left behind.
    const leftovers = await sql<{
      n: number
    }>`select count(*)::int as n from information_schema.schemata where schema_name like ${`${h.config.postgres.schema}\\_%`}`.execute(
      h.services.db,
    )
    expect(leftovers.rows[0]?.n).toBe(0)
  })
})

describe('rebuild CLI', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ api: false })
  })
  afterAll(async () => {
    // --keep-old leaves the replaced tables in a schema of their own.
    const kept = await sql<{
      name: string
    }>`select schema_name as name from information_schema.schemata where schema_name like ${`${h.config.postgres.schema}\\_old\\_%`}`.execute(
      h.services.db,
    )
    for (const { name } of kept.rows) await dropSchema(h.services.db, name)
    expect(kept.rows).toHaveLength(projections.length)
    await h?.stop()
  })

  it('rebuilds through the real binary and prints events/s', async () => {
    const w = await h.writeSide()
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        w.execute('task', `cli-${i}`, taskDecider, create(i, `cli-${i}`), ctx(`cli-${i}`), { expectNew: true }),
      ),
    )
    await waitFor(async () => (await h.services.db.selectFrom('tasks').select('id').execute()).length === 50, 'the seed')
    const run = promisify(execFile)
    const env = { ...process.env, ...h.env }
    const dry = await run(process.execPath, ['bin/agentfleet.js', 'rebuild', 'tasks', '--dry-run'], { env })
    expect(dry.stdout).toMatch(/rebuilt tasks: 50 events in [\d.]+ s \(\d+ events\/s\)/)
    expect(dry.stdout).toContain('tasks: live 50 rows, rebuilt 50 rows, 0 differing')
    const all = await run(process.execPath, ['bin/agentfleet.js', 'rebuild', '--all', '--keep-old'], { env })
    expect(all.stdout).toMatch(/swapped snapshots into the live schema; old tables kept in schema \S+/)
    expect(all.stdout).toMatch(/swapped tasks into the live schema/)
    expect((await h.services.db.selectFrom('aggregate_snapshots').select('stream').execute()).length).toBe(50)
    // A dry run is a check: a read model that no longer equals the fold of the log fails it.
    await h.services.db.updateTable('tasks').set({ title: 'tampered' }).where('id', '=', 'cli-7').execute()
    const check = await run(process.execPath, ['bin/agentfleet.js', 'rebuild', 'tasks', '--dry-run'], { env }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    )
    expect(check).toMatchObject({ code: 1 })
    expect((check as { stdout: string }).stdout).toContain('tasks: live 50 rows, rebuilt 50 rows, 1 differing')
    expect((check as { stderr: string }).stderr).toContain('the read models differ from a fresh fold of the log: tasks (1 differing rows)')
    const bad = await run(process.execPath, ['bin/agentfleet.js', 'rebuild', 'nope'], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    )
    expect(bad).toMatchObject({ code: 1 })
    expect((bad as { stderr: string }).stderr).toContain('unknown projection nope')
  })
})
