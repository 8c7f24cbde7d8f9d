import avro from 'avsc'
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type { IHeaders } from 'kafkajs'
import { AppError } from '../errors.ts'
import { headers, type AggregateType, type DomainEvent, type EventMeta, type LogPosition, type StoredEvent } from './envelope.ts'
import type { EventSchema, SchemaSet } from './schema-files.ts'
import { eventTopic, subjectName } from './topics.ts'

const MAGIC = 0

type Entry = { schema: EventSchema; type: avro.Type; subject: string; id?: number }

export type EncodedEvent = { value: Buffer; headers: IHeaders }

/**
 * Confluent wire format (magic 0, 4-byte schema id, Avro body). Encoding uses the local schema
 * with the id the registry gave it; decoding resolves the writer schema (by id, cached) into
 * the local reader schema, so old events decode after an evolution.
 */
export type EventCodec = {
  encode(aggregate: AggregateType, event: DomainEvent, meta: EventMeta): EncodedEvent
  decode(message: { value: Buffer | null; headers?: IHeaders }, position: LogPosition): Promise<StoredEvent>
  /**
   * Decodes many records: schema ids seen for the first time are looked up once each, then every
   * record is decoded synchronously (no promise per record on the hot path).
   */
  decodeAll(
    messages: readonly { value: Buffer | null; headers?: IHeaders; offset: string }[],
    topic: string,
    partition: number,
  ): Promise<StoredEvent[]>
  /** Looks up the registry id of every local schema; fails when one is not registered. */
  resolveIds(): Promise<void>
}

export function createEventCodec(deps: { registry: SchemaRegistry; schemas: SchemaSet; topicPrefix: string }): EventCodec {
  const byType = new Map<string, Entry>()
  const aggregateOf = new Map<string, AggregateType>()
  for (const s of deps.schemas.events) {
    const topic = eventTopic(deps.topicPrefix, s.aggregate)
    byType.set(s.name, { schema: s, type: avro.Type.forSchema(s.schema as avro.Schema), subject: subjectName(topic, s.fullName) })
    aggregateOf.set(s.name, s.aggregate as AggregateType)
  }
  const readers = new Map<string, (body: Buffer) => Record<string, unknown>>()
  const writers = new Map<number, Promise<avro.Type & { name?: string }>>()

  const framed = (buf: Buffer | null, position: LogPosition): Buffer => {
    if (!buf || buf.length < 5 || buf.readUInt8(0) !== MAGIC)
      throw new AppError(
        'event.bad-framing',
        `not a Confluent-framed Avro message at ${position.topic}/${position.partition}@${position.offset}`,
      )
    return buf
  }
  const toStored = (name: string, read: (b: Buffer) => Record<string, unknown>, buf: Buffer, position: LogPosition): StoredEvent => {
    const { meta, ...data } = read(buf.subarray(5))
    return { type: name, data, meta, aggregateType: aggregateOf.get(name), position } as unknown as StoredEvent
  }
  /** The cached reader of (schema id, event type), if both were seen before. */
  const cachedReader = (id: number, typeName: string | undefined) => (typeName === undefined ? undefined : readers.get(`${id}:${typeName}`))

  const readerFor = async (
    id: number,
    typeName: string | undefined,
  ): Promise<{ name: string; read: (b: Buffer) => Record<string, unknown> }> => {
    // One registry lookup per id, even when a whole batch of a new id decodes concurrently.
    let pending = writers.get(id)
    if (!pending) {
      pending = deps.registry.getSchema(id) as unknown as Promise<avro.Type & { name?: string }>
      pending.catch(() => writers.delete(id))
      writers.set(id, pending)
    }
    const writer = await pending
    const name = typeName ?? shortName(writer.name ?? '')
    const key = `${id}:${name}`
    let read = readers.get(key)
    if (!read) {
      const local = byType.get(name)
      if (!local) throw new AppError('event.unknown-type', `no local schema for event type ${name} (schema id ${id})`)
      const resolver = local.type.createResolver(writer)
      read = (b) => local.type.fromBuffer(b, resolver) as Record<string, unknown>
      readers.set(key, read)
    }
    return { name, read }
  }

  return {
    encode(aggregate, event, meta) {
      const entry = byType.get(event.type)
      if (!entry?.id)
        throw new AppError('event.unregistered', `schema of ${event.type} is not registered; run \`agentfleet schemas register\``)
      const body = entry.type.toBuffer({ meta, ...event.data })
      const value = Buffer.allocUnsafe(5 + body.length)
      value.writeUInt8(MAGIC, 0)
      value.writeInt32BE(entry.id, 1)
      body.copy(value, 5)
      return {
        value,
        headers: { [headers.eventType]: event.type, [headers.aggregateType]: aggregate, [headers.correlationId]: meta.correlationId },
      }
    },

    async decode(message, position) {
      const buf = framed(message.value, position)
      const { name, read } = await readerFor(buf.readInt32BE(1), message.headers?.[headers.eventType]?.toString())
      return toStored(name, read, buf, position)
    },

    async decodeAll(messages, topic, partition) {
      const out: StoredEvent[] = new Array(messages.length)
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i]!
        const position = { topic, partition, offset: m.offset }
        const buf = framed(m.value, position)
        const typeName = m.headers?.[headers.eventType]?.toString()
        const read = cachedReader(buf.readInt32BE(1), typeName)
        if (read) out[i] = toStored(typeName!, read, buf, position)
        else {
          const found = await readerFor(buf.readInt32BE(1), typeName)
          out[i] = toStored(found.name, found.read, buf, position)
        }
      }
      return out
    },

    async resolveIds() {
      const missing: string[] = []
      const failures: string[] = []
      await Promise.all(
        [...byType.values()]
          .filter((e) => e.id === undefined)
          .map(async (e) => {
            try {
              e.id = await deps.registry.getRegistryIdBySchema(e.subject, e.schema.schema as never)
            } catch (error) {
              // The client turns only the registry's 404 into this error; anything else (a timeout, a 5xx) may pass.
              if ((error as Error).name === 'ConfluentSchemaRegistryError') missing.push(e.subject)
              else failures.push(`${e.subject}: ${(error as Error).message}`)
            }
          }),
      )
      if (failures.length && !missing.length)
        throw new AppError(
          'schemas.registry-unavailable',
          `the schema registry did not answer for ${failures.length} subject(s), e.g. ${failures[0]}`,
          {
            retriable: true,
          },
        )
      if (missing.length)
        throw new AppError(
          'schemas.not-registered',
          `schemas not registered: ${missing.sort().join(', ')}; run \`agentfleet schemas register\``,
        )
    },
  }
}

const shortName = (full: string): string => full.slice(full.lastIndexOf('.') + 1)
