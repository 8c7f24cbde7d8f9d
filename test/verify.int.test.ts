import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { Producer } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CreateTask } from '../src/commands/task/task.commands.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { DomainEvent, StoredEvent } from '../src/events/envelope.ts'
import { eventTopic } from '../src/events/topics.ts'
import { verifyLog } from '../src/ops/verify-log.ts'
import { startHarness, type Harness } from './support/harness.ts'

const run = promisify(execFile)
type RunError = Error & { code: number; stdout: string; stderr: string }
const tasks = 6
const ctx = (id: string) => ({ commandId: id, correlationId: 'verify', causationId: null, actor: 'test' })
const create = (i: number): CreateTask => ({
  type: 'CreateTask',
  taskId: `vf-${i}`,
  commandId: `c${i}`,
  title: `task ${i}`,
  description: null,
  pool: 'verify',
  priority: 'NORMAL',
  payload: {},
  maxAttempts: 1,
  timeoutMs: 1000,
  projectId: null,
  workflowId: null,
  role: null,
  metadata: {},
  // waiting on a dependency: creating it is exactly one event
  dependsOn: ['upstream'],
})

describe('verify', () => {
  let h: Harness
  let producer: Producer
  let readStream: (id: string) => Promise<StoredEvent[]>
  beforeAll(async () => {
    h = await startHarness({ api: false, projector: false, reactors: false })
    const w = await h.writeSide()
    readStream = (id) => w.store.readStream('task', id)
    for (let i = 0; i < tasks; i++) {
      await w.execute('task', `vf-${i}`, taskDecider, create(i), ctx(`c${i}`), { expectNew: true })
      await w.execute('task', `vf-${i}`, taskDecider, { type: 'ReportTaskProgress', percent: 50, message: 'half' }, ctx(`p${i}`))
    }
    await h.services.codec.resolveIds()
    producer = h.services.kafka.producer()
    await producer.connect()
  })
  afterAll(async () => {
    await producer?.disconnect()
    await h?.stop()
  })

  const deps = () => ({ ...h.services, topicPrefix: h.config.kafka.topicPrefix })
  const cli = (...args: string[]) => run(process.execPath, ['bin/agentfleet.js', 'verify', ...args], { env: { ...process.env, ...h.env } })
  /** Appends a copy of the stream's last event with another version (and event id) straight to its partition, past the event store. */
  const inject = async (id: string, version: number) => {
    const last = (await readStream(id)).at(-1)!
    const { value, headers } = h.services.codec.encode('task', { type: last.type, data: last.data } as DomainEvent, {
      ...last.meta,
      eventId: `injected-${id}-${version}`,
      version,
    })
    await producer.send({
      topic: eventTopic(h.config.kafka.topicPrefix, 'task'),
      messages: [{ key: id, value, headers, partition: last.position.partition }],
    })
    return last
  }

  it('a clean log verifies: every stream 1..n, once, in order', async () => {
    const r = await verifyLog(deps())
    expect(r).toMatchObject({
      events: tasks * 2,
      streams: tasks,
      duplicates: 0,
      gaps: 0,
      misplaced: 0,
      undecodable: 0,
      offendingStreams: 0,
    })
    expect(r.topics).toContain(eventTopic(h.config.kafka.topicPrefix, 'task'))
    const { stdout } = await cli()
    expect(stdout).toContain(`${tasks * 2} events in ${tasks} streams`)
    expect(stdout).toContain('ok: every stream')
  })

  it('a second event with an existing version makes verify fail and name the stream', async () => {
    const original = await inject('vf-1', 2)
    const r = await verifyLog(deps(), { aggregates: ['task'] })
    expect(r).toMatchObject({ duplicates: 1, gaps: 0, offendingStreams: 1 })
    expect(r.offending[0]!.stream).toBe('task:vf-1')
    expect(r.offending[0]!.problems[0]).toMatchObject({
      kind: 'duplicate',
      version: 2,
      first: { partition: original.position.partition, offset: Number(original.position.offset) },
      sameEvent: false,
    })
    const failed = (await cli('--aggregate', 'task').then(
      () => undefined,
      (e: RunError) => e,
    )) as RunError
    expect(failed?.code).toBe(1)
    expect(failed.stdout).toContain('duplicates 1')
    expect(failed.stdout).toContain('task:vf-1')
    expect(failed.stdout).toMatch(/version 2 again at .+\.task\.events\/\d+@\d+ \(first at/)
    expect(failed.stderr).toContain('is not consistent')
  })

  it('a missing version makes verify fail too', async () => {
    await inject('vf-2', 4)
    const r = await verifyLog(deps())
    expect(r).toMatchObject({ duplicates: 1, gaps: 1, missingVersions: 1, offendingStreams: 2 })
    const gap = r.offending.find((s) => s.stream === 'task:vf-2')
    expect(gap?.problems).toMatchObject([{ kind: 'gap', missingFrom: 3, missingTo: 3 }])
    const failed = (await cli('--json').then(
      () => undefined,
      (e: RunError) => e,
    )) as RunError
    expect(failed?.code).toBe(1)
    const report = JSON.parse(failed.stdout) as { gaps: number; offending: { stream: string }[] }
    expect(report.gaps).toBe(1)
    expect(report.offending.map((s) => s.stream).sort()).toEqual(['task:vf-1', 'task:vf-2'])
  })

  it('refuses an unknown aggregate type', async () => {
    await expect(verifyLog(deps(), { aggregates: ['nope'] })).rejects.toMatchObject({ code: 'verify.unknown-aggregate' })
  })
})
