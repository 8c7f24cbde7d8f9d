import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import avro from 'avsc'
import { Partitioners, type Producer } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AggregateType, DomainEvent, EventMeta } from '../src/events/envelope.ts'
import { eventTopic } from '../src/events/topics.ts'
import { inspectTopic, type InspectOptions } from '../src/ops/inspect.ts'
import type { InspectedRecord } from '../src/ops/record-decoder.ts'
import { startHarness, waitFor, type Harness } from './support/harness.ts'

const run = promisify(execFile)
const base = Date.UTC(2025, 0, 31, 12, 0, 0)

type Sent = { aggregate: AggregateType; type: string; meta: EventMeta; data: Record<string, unknown>; timestamp: number }

describe('inspect', () => {
  let h: Harness
  let producer: Producer
  const sent: Sent[] = []
  beforeAll(async () => {
    h = await startHarness({ api: false, projector: false, reactors: false })
    await h.services.codec.resolveIds()
    producer = h.services.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    // One event of every type in schemas/, with values drawn from the schema itself.
    for (const [i, s] of h.services.schemas.events.entries()) {
      const { meta: _, ...data } = avro.Type.forSchema(s.schema as avro.Schema).random() as unknown as Record<string, unknown>
      const meta: EventMeta = {
        eventId: `ev-${i}`,
        aggregateId: `agg-${i}`,
        version: 1,
        occurredAt: base + i * 1000,
        commandId: `c${i}`,
        correlationId: 'insp',
        causationId: null,
        actor: 'test',
      }
      const aggregate = s.aggregate as AggregateType
      const { value, headers } = h.services.codec.encode(aggregate, { type: s.name, data } as unknown as DomainEvent, meta)
      await producer.send({
        topic: eventTopic(h.config.kafka.topicPrefix, aggregate),
        messages: [{ key: meta.aggregateId, value, headers, timestamp: String(base + i * 1000) }],
      })
      sent.push({ aggregate, type: s.name, meta, data, timestamp: base + i * 1000 })
    }
  })
  afterAll(async () => {
    await producer?.disconnect()
    await h?.stop()
  })

  const deps = () => ({
    kafka: h.services.kafka,
    admin: h.services.admin,
    registry: h.services.registry,
    logger: h.services.logger,
    topicPrefix: h.config.kafka.topicPrefix,
  })
  const dump = async (topic: string, o: InspectOptions = {}) => {
    const out: InspectedRecord[] = []
    await inspectTopic(deps(), topic, o, (r) => out.push(r))
    return out
  }

  it('round-trips every event type in schemas/ to JSON lines, and --raw shows the framing', async () => {
    expect(sent.length).toBe(h.services.schemas.events.length)
    for (const aggregate of new Set(sent.map((s) => s.aggregate))) {
      const records = await dump(aggregate, { raw: true })
      const expected = sent.filter((s) => s.aggregate === aggregate)
      expect(records.map((r) => r.type).sort()).toEqual(expected.map((s) => s.type).sort())
      for (const s of expected) {
        const r = records.find((x) => x.type === s.type)!
        expect(JSON.parse(JSON.stringify({ meta: r.meta, data: r.data }))).toEqual(
          JSON.parse(JSON.stringify({ meta: s.meta, data: s.data })),
        )
        expect(r).toMatchObject({
          topic: eventTopic(h.config.kafka.topicPrefix, aggregate),
          key: s.meta.aggregateId,
          timestamp: new Date(s.timestamp).toISOString(),
        })
        const schema = h.services.schemas.events.find((e) => e.name === s.type)!
        const subject = `${r.topic}-${schema.fullName}`
        expect(r.raw).toMatchObject({
          magic: 0,
          subject,
          key: s.meta.aggregateId,
          headers: { 'event-type': s.type, 'aggregate-type': aggregate, 'correlation-id': 'insp' },
        })
        expect(r.raw?.schemaId).toBe(await h.services.registry.getRegistryIdBySchema(subject, schema.schema as never))
      }
    }
  })

  it('filters by type, aggregate, time, partition and limit; stops at the end captured at start', async () => {
    const task = sent.filter((s) => s.aggregate === 'task')
    expect((await dump('task', { types: ['TaskCreated'] })).map((r) => r.type)).toEqual(['TaskCreated'])
    expect((await dump('task', { aggregateId: task[1]!.meta.aggregateId })).map((r) => r.key)).toEqual([task[1]!.meta.aggregateId])
    const t = new Date(task[1]!.timestamp)
    expect((await dump('task', { from: t, to: t })).map((r) => r.type)).toEqual([task[1]!.type])
    expect(await dump('task', { limit: 2 })).toHaveLength(2)
    const all = await dump(eventTopic(h.config.kafka.topicPrefix, 'task'))
    const p = all[0]!.partition
    expect((await dump('task', { partition: p })).every((r) => r.partition === p)).toBe(true)
    // No throwaway group is left behind, and none committed anything.
    const groups = (await h.services.admin.listGroups()).groups.filter((g) => g.groupId.startsWith(`${h.config.kafka.topicPrefix}.`))
    expect(groups).toEqual([])
  })

  it('--follow prints events appended after it started, until stopped', async () => {
    const abort = new AbortController()
    const seen: InspectedRecord[] = []
    const following = inspectTopic(deps(), 'task', { follow: true, types: ['TaskCancelled'] }, (r) => seen.push(r), abort.signal)
    const before = sent.filter((s) => s.type === 'TaskCancelled').length
    await waitFor(async () => seen.length >= before, 'existing events')
    const meta: EventMeta = {
      eventId: 'ev-follow',
      aggregateId: 'agg-follow',
      version: 1,
      occurredAt: Date.now(),
      commandId: 'cf',
      correlationId: 'insp',
      causationId: null,
      actor: 'test',
    }
    const { value, headers } = h.services.codec.encode('task', { type: 'TaskCancelled', data: { reason: 'followed' } }, meta)
    await producer.send({ topic: eventTopic(h.config.kafka.topicPrefix, 'task'), messages: [{ key: meta.aggregateId, value, headers }] })
    await waitFor(async () => seen.some((r) => (r.meta as EventMeta).eventId === 'ev-follow'), 'the followed event')
    abort.abort()
    await following
    expect(seen.find((r) => r.key === 'agg-follow')?.data).toEqual({ reason: 'followed' })
  })

  it('the CLI binary prints the same JSON lines', async () => {
    const { stdout } = await run(process.execPath, ['bin/agentfleet.js', 'inspect', 'task', '--raw', '--type', 'TaskCreated'], {
      env: { ...process.env, ...h.env },
    })
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as InspectedRecord)
    const created = sent.find((s) => s.type === 'TaskCreated')!
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      type: 'TaskCreated',
      key: created.meta.aggregateId,
      raw: { magic: 0, headers: { 'event-type': 'TaskCreated' } },
    })
    expect(JSON.parse(JSON.stringify(lines[0]!.data))).toEqual(JSON.parse(JSON.stringify(created.data)))
    const help = await run(process.execPath, ['bin/agentfleet.js', 'inspect', '--help'])
    expect(help.stdout).toContain('--follow')
  })
})
