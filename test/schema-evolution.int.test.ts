import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEventCodec } from '../src/events/avro-codec.ts'
import type { AvroRecord } from '../src/events/avro-schema.ts'
import type { SchemaSet } from '../src/events/schema-files.ts'
import { checkSchemas, registerSchemas } from '../src/eventstore/schema-registration.ts'
import { startHarness, type Harness } from './support/harness.ts'

/** The same schema set with one event's fields changed. */
const withFields = (set: SchemaSet, event: string, change: (fields: AvroRecord['fields']) => AvroRecord['fields']): SchemaSet => ({
  shared: set.shared,
  events: set.events.map((e) => (e.name === event ? { ...e, schema: { ...e.schema, fields: change(e.schema.fields) } } : e)),
})

describe('schema evolution against the real registry', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ api: false, projector: false })
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('adds an optional field (BACKWARD compatible); events written before still decode with the new reader', async () => {
    const { registry, schemas } = h.services
    const prefix = h.config.kafka.topicPrefix
    const meta = {
      eventId: 'e1',
      aggregateId: 't1',
      version: 2,
      occurredAt: Date.now(),
      commandId: 'c',
      correlationId: 'c',
      causationId: null,
      actor: 'test',
    }
    const oldCodec = createEventCodec({ registry, schemas, topicPrefix: prefix })
    await oldCodec.resolveIds()
    const old = oldCodec.encode('task', { type: 'TaskCancelled', data: { reason: 'written by v1' } }, meta)

    const evolved = withFields(schemas, 'TaskCancelled', (f) => [...f, { name: 'cancelledBy', type: ['null', 'string'], default: null }])
    expect((await checkSchemas(h.config.registryUrl, evolved, prefix)).every((r) => r.compatible)).toBe(true)
    await registerSchemas(h.config.registryUrl, evolved, prefix)

    const newCodec = createEventCodec({ registry, schemas: evolved, topicPrefix: prefix })
    await newCodec.resolveIds()
    const decoded = await newCodec.decode({ value: old.value, headers: old.headers }, { topic: 't', partition: 0, offset: '0' })
    expect(decoded).toMatchObject({ type: 'TaskCancelled', data: { reason: 'written by v1', cancelledBy: null }, meta: { version: 2 } })

    const fresh = newCodec.encode('task', { type: 'TaskCancelled', data: { reason: 'v2', cancelledBy: 'ops' } } as never, meta)
    expect(fresh.value.readInt32BE(1)).not.toBe(old.value.readInt32BE(1))
  })

  it('refuses a required field without a default (not BACKWARD compatible)', async () => {
    const prefix = h.config.kafka.topicPrefix
    await registerSchemas(h.config.registryUrl, h.services.schemas, prefix)
    const breaking = withFields(h.services.schemas, 'TaskProgressReported', (f) => [...f, { name: 'mandatory', type: 'string' }])
    const results = await checkSchemas(h.config.registryUrl, breaking, prefix)
    expect(results.find((r) => r.subject.endsWith('TaskProgressReported'))?.compatible).toBe(false)
    await expect(registerSchemas(h.config.registryUrl, breaking, prefix)).rejects.toThrow(/TaskProgressReported/)
  })
})
