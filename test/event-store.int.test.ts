import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { CreateTask } from '../src/commands/task/task.commands.ts'
import { createKafkaEventLog } from '../src/eventstore/kafka-event-log.ts'
import { avroToolsJar } from './support/avro-tools.ts'
import { postJson, startHarness, waitFor, type Harness } from './support/harness.ts'

const run = promisify(execFile)

const create = (commandId: string, taskId: string): CreateTask => ({
  type: 'CreateTask',
  taskId,
  commandId,
  title: 'concurrent',
  description: null,
  pool: 'p',
  priority: 'NORMAL',
  payload: {},
  maxAttempts: 1,
  timeoutMs: 1000,
  projectId: null,
  workflowId: null,
  role: null,
  metadata: {},
  // waiting on a dependency, so that creating it is exactly one event (version 1)
  dependsOn: ['upstream'],
})
const ctx = (commandId: string) => ({ commandId, correlationId: 'corr', causationId: null, actor: 'test' })

describe('event store against the real stack', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ pools: ['kcat', 'p'] })
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('writes Confluent-framed Avro that independent tools decode through the registry to the same fields', async () => {
    const upstream = (await (await postJson(`${h.baseUrl}/api/v1/tasks`, { title: 'Upstream', pool: 'kcat' })).json()) as { id: string }
    const res = await postJson(`${h.baseUrl}/api/v1/tasks`, {
      title: 'Decode me',
      pool: 'kcat',
      priority: 'LOW',
      payload: { a: [1, 'two'] },
      dependsOn: [upstream.id],
    })
    const { id } = (await res.json()) as { id: string }
    const topic = `${h.config.kafka.topicPrefix}.task.events`
    const broker = h.config.kafka.brokers[0]!
    // kcat (librdkafka) finds the message and hands over its raw bytes.
    const { stdout: index } = await run('kcat', ['-C', '-b', broker, '-t', topic, '-e', '-q', '-f', '%k\t%p\t%o\t%h\n'], {
      timeout: 30_000,
    })
    const [, partition, offset, hdrs] = index
      .split('\n')
      .find((l) => l.startsWith(`${id}\t`))!
      .split('\t')
    expect(hdrs).toContain('event-type=TaskCreated')
    const { stdout: raw } = await run(
      'kcat',
      ['-C', '-b', broker, '-t', topic, '-p', partition!, '-o', offset!, '-c', '1', '-e', '-q', '-D', '', '-f', '%s'],
      { encoding: 'buffer', timeout: 30_000 },
    )
    expect(raw.readUInt8(0)).toBe(0)
    // The writer schema comes from the registry by the id in the framing...
    const schemaId = raw.readInt32BE(1)
    const { schema } = (await (await fetch(`${h.config.registryUrl}/schemas/ids/${schemaId}`)).json()) as { schema: string }
    expect(JSON.parse(schema)).toMatchObject({ name: 'TaskCreated', namespace: 'agentfleet.task' })
    // ...and Apache Avro's own Java tools decode the body with it.
    const dir = mkdtempSync(join(tmpdir(), 'af-avro-'))
    writeFileSync(join(dir, 'schema.avsc'), schema)
    writeFileSync(join(dir, 'body.bin'), raw.subarray(5))
    const { stdout: json } = await run(
      'java',
      ['-jar', await avroToolsJar(), 'fragtojson', '--schema-file', join(dir, 'schema.avsc'), join(dir, 'body.bin')],
      { timeout: 60_000 },
    )
    expect(JSON.parse(json)).toMatchObject({
      title: 'Decode me',
      pool: 'kcat',
      priority: 'LOW',
      payload: '{"a":[1,"two"]}',
      maxAttempts: 3,
      description: null,
      dependsOn: [upstream.id],
      meta: { aggregateId: id, version: 1, actor: 'api', causationId: null },
    })
  })

  it('serializes 50 concurrent commands on one aggregate into versions 1..51 with none lost', async () => {
    const { execute } = await h.writeSide()
    const id = `conc-${h.id}`
    await execute('task', id, taskDecider, create('c0', id), ctx('c0'), { expectNew: true })
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        execute('task', id, taskDecider, { type: 'ReportTaskProgress', percent: i + 1, message: `step ${i + 1}` }, ctx(`p${i}`)),
      ),
    )
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2))

    const row = await waitFor(async () => {
      const r = await h.services.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst()
      return r && r.version === 51 ? r : undefined
    }, 'read model at version 51')
    const last = results.find((r) => r.version === 51)!
    const lastIndex = results.indexOf(last)
    expect(row.progress).toBe(lastIndex + 1)
    // One projector group applies every projection in the same transaction: the snapshot and the group's head are there too.
    const snapshot = await h.services.db
      .selectFrom('aggregate_snapshots')
      .select('version')
      .where('stream', '=', `task:${id}`)
      .executeTakeFirstOrThrow()
    expect(snapshot.version).toBe(51)
    const head = await h.services.db
      .selectFrom('projector_stream_heads')
      .select(['consumer', 'version'])
      .where('stream', '=', `task:${id}`)
      .execute()
    expect(head).toEqual([{ consumer: 'main', version: 51 }])
    const conflicts = await h.services.db.selectFrom('event_conflicts').selectAll().execute()
    expect(conflicts).toEqual([])
  })

  it('a writer paused past its deadline before the send never sends: 503 append.not-sent, and the next writer appends the next version', async () => {
    const stream = `paused-${h.id}`
    const fast = await h.writeSide({ budgetMs: 300 })
    let release!: () => void
    const paused = new Promise<void>((r) => {
      release = r
    })
    let reachedSend!: () => void
    const atSend = new Promise<void>((r) => {
      reachedSend = r
    })
    // A second "process": its own write side, whose send pauses after it took the write slot.
    const slow = await h.writeSide({
      budgetMs: 300,
      beforeSend: async (s) => {
        if (s === `task:${stream}`) {
          reachedSend()
          await paused
        }
      },
    })
    await fast.execute('task', stream, taskDecider, create('k0', stream), ctx('k0'), { expectNew: true })

    const slowOutcome = slow
      .execute('task', stream, taskDecider, { type: 'ReportTaskProgress', percent: 10, message: 'slow' }, ctx('slow'))
      .then(
        () => 'ok',
        (e: { code?: string }) => e.code,
      )
    await atSend
    // The fast writer waits out the slow one's slot, finds its append in doubt, reads the log (nothing new) and appends.
    const winner = await fast.execute(
      'task',
      stream,
      taskDecider,
      { type: 'ReportTaskProgress', percent: 90, message: 'fast' },
      ctx('fast'),
    )
    expect(winner.version).toBe(2)
    release()
    expect(await slowOutcome).toBe('append.not-sent')

    const next = await fast.execute(
      'task',
      stream,
      taskDecider,
      { type: 'ReportTaskProgress', percent: 95, message: 'after' },
      ctx('after'),
    )
    expect(next.version).toBe(3)
    const inLog = (await fast.store.readStream('task', stream)).map((e) => [
      e.meta.version,
      (e.data as { message?: string }).message ?? null,
    ])
    expect(inLog).toEqual([
      [1, null],
      [2, 'fast'],
      [3, 'after'],
    ])
    const row = await waitFor(
      async () =>
        (await h.services.db.selectFrom('tasks').select(['version', 'progress_message']).where('id', '=', stream).executeTakeFirst())
          ?.version === 3,
      'the read model at version 3',
    )
    expect(row).toBe(true)
    expect(await h.services.db.selectFrom('event_conflicts').selectAll().where('stream', '=', `task:${stream}`).execute()).toEqual([])
  })

  it('two events with one version in the log (a writer outside the protocol): every reader keeps the first, the conflict is recorded', async () => {
    const stream = `dup-${h.id}`
    const w = await h.writeSide()
    await w.execute('task', stream, taskDecider, create('d0', stream), ctx('d0'), { expectNew: true })
    await w.execute('task', stream, taskDecider, { type: 'ReportTaskProgress', percent: 20, message: 'first' }, ctx('d1'))
    // Version 2 again, straight to the log with the store's own codec and partition.
    const topic = `${h.config.kafka.topicPrefix}.task.events`
    const meta = {
      eventId: `rogue-${h.id}`,
      aggregateId: stream,
      version: 2,
      occurredAt: Date.now(),
      commandId: 'rogue',
      correlationId: 'rogue',
      causationId: null,
      actor: 'rogue',
    }
    const { value, headers } = h.services.codec.encode(
      'task',
      { type: 'TaskProgressReported', data: { percent: 99, message: 'second' } },
      meta,
    )
    const log = await createKafkaEventLog({
      config: h.config,
      codec: h.services.codec,
      clientId: `rogue-${h.id}`,
      logger: h.services.logger,
    })
    await log.append(
      [
        {
          topic,
          partition: log.partitionOf('task', stream),
          key: stream,
          value,
          headers: headers as Record<string, string>,
          timestamp: meta.occurredAt,
        },
      ],
      performance.now() + 1_000,
    )
    await log.close()

    const conflict = await waitFor(
      async () =>
        h.services.db
          .selectFrom('event_conflicts')
          .selectAll()
          .where('stream', '=', `task:${stream}`)
          .where('consumer', '=', 'main')
          .executeTakeFirst(),
      'conflict row',
    )
    expect(conflict).toMatchObject({ kind: 'duplicate-version', version: 2, event_id: `rogue-${h.id}` })
    const row = await h.services.db
      .selectFrom('tasks')
      .select(['version', 'progress_message'])
      .where('id', '=', stream)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ version: 2, progress_message: 'first' })
    // The store agrees with every reader: from its cache, and from the log alone.
    expect(
      (await w.execute('task', stream, taskDecider, { type: 'ReportTaskProgress', percent: 30, message: 'third' }, ctx('d3'))).version,
    ).toBe(3)
    await h.services.redis.del(`${h.config.redis.prefix}agg:task:${stream}`)
    const reread = await h.writeSide()
    expect(
      (await reread.execute('task', stream, taskDecider, { type: 'ReportTaskProgress', percent: 40, message: 'fourth' }, ctx('d4')))
        .version,
    ).toBe(4)
  })

  it('rebuilds a lost Redis snapshot from the log before deciding', async () => {
    const { execute } = await h.writeSide()
    const id = `lost-${h.id}`
    await execute('task', id, taskDecider, create('l0', id), ctx('l0'), { expectNew: true })
    await execute('task', id, taskDecider, { type: 'ReportTaskProgress', percent: 5, message: null }, ctx('l1'))
    await h.services.redis.del(`${h.config.redis.prefix}agg:task:${id}`)
    const result = await execute('task', id, taskDecider, { type: 'CancelTask', reason: 'redis was flushed' }, ctx('l2'))
    expect(result.version).toBe(3)
    // A repeated create with the original command id is recognised from the log-built state.
    await h.services.redis.del(`${h.config.redis.prefix}agg:task:${id}`)
    expect((await execute('task', id, taskDecider, create('l0', id), ctx('l0'))).events).toEqual([])
  })
})
