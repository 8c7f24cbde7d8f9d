import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type avro from 'avsc'
import type { IHeaders, KafkaMessage } from 'kafkajs'
import { subjectName } from '../events/topics.ts'

/** One Kafka record as `inspect` prints it: one JSON line. */
export type InspectedRecord = {
  topic: string
  partition: number
  offset: number
  timestamp: string
  key: string | null
  type: string | null
  meta?: unknown
  data?: unknown
  value?: unknown
  raw?: {
    magic: number | null
    schemaId: number | null
    subject: string | null
    headers: Record<string, string>
    key: string | null
    bytes: number
  }
}

const shortName = (full: string): string => full.slice(full.lastIndexOf('.') + 1)

const headerText = (h: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String).join(',') : String(v ?? '')]))

/**
 * Decodes any Confluent-framed Avro record with its writer schema from the registry, so every
 * topic reads (dispatch topics too, whatever their schema). Event records are split into
 * `type`, `meta` and `data`; other Avro records show as `value`, anything else as text.
 */
export function createRecordDecoder(registry: SchemaRegistry) {
  return async (topic: string, partition: number, m: KafkaMessage, raw: boolean): Promise<InspectedRecord> => {
    const buf = m.value
    const framed = buf !== null && buf.length >= 5 && buf.readUInt8(0) === 0
    const base = {
      topic,
      partition,
      offset: Number(m.offset),
      timestamp: new Date(Number(m.timestamp)).toISOString(),
      key: m.key?.toString() ?? null,
    }
    let out: InspectedRecord
    let subject: string | null = null
    if (framed) {
      const id = buf.readInt32BE(1)
      const writer = (await registry.getSchema(id)) as unknown as avro.Type & { name?: string }
      const decoded = writer.fromBuffer(buf.subarray(5)) as Record<string, unknown>
      subject = writer.name ? subjectName(topic, writer.name) : null
      const type = writer.name ? shortName(writer.name) : null
      if (decoded && typeof decoded === 'object' && 'meta' in decoded) {
        const { meta, ...data } = decoded
        out = { ...base, type, meta: plain(meta), data: plain(data) }
      } else {
        out = { ...base, type, value: plain(decoded) }
      }
    } else {
      const text = buf?.toString('utf8') ?? null
      out = { ...base, type: null, value: text }
    }
    if (raw) {
      out.raw = {
        magic: buf && buf.length > 0 ? buf.readUInt8(0) : null,
        schemaId: framed ? buf.readInt32BE(1) : null,
        subject,
        headers: headerText(m.headers),
        key: base.key,
        bytes: buf?.length ?? 0,
      }
    }
    return out
  }
}

/** avsc records are class instances and bytes are Buffers: plain JSON values instead. */
function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  if (Array.isArray(v)) return v.map(plain)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
  return v
}
