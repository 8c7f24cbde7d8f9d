import avro from 'avsc'
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { AppError } from '../errors.ts'
import type { RecordSchema } from '../events/schema-files.ts'

/**
 * Confluent wire format for a non-event record (dispatch and dead-letter records): encodes with
 * the local schema under the id it got for a topic's subject; decodes any registered writer
 * schema into the local reader.
 */
export function createRecordCodec<T>(deps: { registry: SchemaRegistry; record: RecordSchema }) {
  const type = avro.Type.forSchema(deps.record.schema as avro.Schema)
  const readers = new Map<number, ReturnType<avro.Type['createResolver']>>()
  return {
    record: deps.record,
    encode(value: T, schemaId: number): Buffer {
      const body = type.toBuffer(value)
      const out = Buffer.allocUnsafe(5 + body.length)
      out.writeUInt8(0, 0)
      out.writeInt32BE(schemaId, 1)
      body.copy(out, 5)
      return out
    },
    async decode(buf: Buffer | null): Promise<T> {
      if (!buf || buf.length < 5 || buf.readUInt8(0) !== 0)
        throw new AppError('dispatch.bad-framing', `not a Confluent-framed ${deps.record.name}`)
      const id = buf.readInt32BE(1)
      let resolver = readers.get(id)
      if (!resolver) {
        resolver = type.createResolver((await deps.registry.getSchema(id)) as unknown as avro.Type)
        readers.set(id, resolver)
      }
      return type.fromBuffer(buf.subarray(5), resolver) as T
    },
  }
}

export type RecordCodec<T> = ReturnType<typeof createRecordCodec<T>>
