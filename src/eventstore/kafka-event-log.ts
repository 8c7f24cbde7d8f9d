import { fetchV17, type Consumer, type Producer, type RecordsBatch } from '@platformatic/kafka'
import { BrokenCircuitError, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel'
import type { Config } from '../config.ts'
import { AppError } from '../errors.ts'
import type { EventCodec } from '../events/avro-codec.ts'
import type { AggregateType, StoredEvent } from '../events/envelope.ts'
import { eventTopic } from '../events/topics.ts'
import { createConsumer, createProducer } from '../infra/kafka-clients.ts'
import type { Logger } from '../infra/logger.ts'
import { AppendNotSentError, type EventLog, type LogRecord } from './event-log.ts'
import { createLateSendGuard } from './late-send-guard.ts'
import { partitionOfKey } from './partitioner.ts'
import { createProduceBatcher } from './produce-batcher.ts'

/** Control batches (transaction markers) hold no events. */
const isControl = (batch: RecordsBatch): boolean => (batch.attributes & 0b10_0000) !== 0

export type KafkaEventLogDeps = Readonly<{
  config: Pick<Config, 'kafka' | 'append'>
  codec: EventCodec
  clientId: string
  logger: Logger
  /** test hook: runs after the batcher's deadline check, before the client is handed the records */
  beforeProduce?: () => Promise<void>
}>

/**
 * The event topics through @platformatic/kafka: one idempotent producer (acks=all) behind a batcher
 * that turns concurrent appends into one request, and direct fetches (no consumer group) to read
 * one aggregate's records back from its partition.
 */
export async function createKafkaEventLog(deps: KafkaEventLogDeps): Promise<EventLog> {
  const prefix = deps.config.kafka.topicPrefix
  const producer: Producer = createProducer(deps.config, `${deps.clientId}-appender`)
  const reader: Consumer = createConsumer(deps.config, `${deps.clientId}-reader`, `${prefix}.direct-reader`)
  const topics = new Map<string, AggregateType>()
  const partitions = new Map<string, number>()
  type TopicMeta = Awaited<ReturnType<typeof fetchMeta>>
  /** Topic metadata (id, leaders) is asked once and reused until a read fails: a read costs no metadata round trip. */
  const known = new Map<string, Promise<TopicMeta>>()

  const fetchMeta = async (topic: string) => {
    const meta = await reader.metadata({ topics: [topic] })
    const t = meta.topics.get(topic)
    if (!t) throw new Error(`Kafka has no topic ${topic}; run \`agentfleet topics ensure\``)
    partitions.set(topic, t.partitionsCount)
    return t
  }
  const describe = (topic: string): Promise<TopicMeta> => {
    let meta = known.get(topic)
    if (!meta) {
      meta = fetchMeta(topic)
      known.set(topic, meta)
      meta.catch(() => known.delete(topic))
    }
    return meta
  }
  /**
   * After three failed reads in a row the reads fail at once for a second, then one is let
   * through: while the broker is away or coming back, requests that need the log are answered
   * 503 with Retry-After at once instead of piling up metadata and fetch calls on it.
   */
  const breaker = circuitBreaker(handleAll, { halfOpenAfter: 1_000, breaker: new ConsecutiveBreaker(3) })
  const partitionCount = (topic: string): number => {
    const n = partitions.get(topic)
    if (n === undefined) throw new Error(`partition count of ${topic} unknown`)
    return n
  }
  for (const aggregate of ['task', 'agent', 'pool', 'hitl', 'project', 'workflow'] as const) {
    const topic = eventTopic(prefix, aggregate)
    topics.set(topic, aggregate)
    await describe(topic)
  }

  /** No byte of an append leaves after its deadline, however long the client takes to get there. */
  const guard = createLateSendGuard(producer.instanceId)
  const produce = async (records: readonly LogRecord[]) => {
    await deps.beforeProduce?.()
    return producer.send({
      messages: records.map((r) => ({
        topic: r.topic,
        partition: r.partition,
        key: Buffer.from(r.key),
        value: r.value,
        timestamp: BigInt(r.timestamp),
        headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
      })) as never,
    })
  }
  const batcher = createProduceBatcher<LogRecord>({
    send: async (records, sendBy) => {
      const sent = await guard.send(sendBy, () => produce(records))
      if (!sent.ok) {
        if (!sent.written)
          throw new AppendNotSentError(
            `the append was never written to Kafka (${(sent.error as Error).message}); nothing of it is in the log`,
          )
        throw sent.error
      }
      return (sent.value.offsets ?? []).map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }))
    },
  })

  return {
    append: (records: readonly LogRecord[], sendBy: number) => batcher.send(records, sendBy),

    partitionOf: (aggregate, id) => partitionOfKey(id, partitionCount(eventTopic(prefix, aggregate))),

    async readAggregate(aggregate, id, from) {
      try {
        return await breaker.execute(() =>
          read(aggregate, id, from).catch((error: unknown) => {
            // Leaders may have moved: ask for the topic's metadata again next time.
            known.delete(eventTopic(prefix, aggregate))
            throw error
          }),
        )
      } catch (error) {
        const why = error instanceof BrokenCircuitError ? 'recent reads failed' : (error as Error).message
        throw new AppError('log.unavailable', `reading ${aggregate} ${id} from Kafka failed (${why}); retry shortly`, {
          retriable: true,
          cause: error,
        })
      }
    },

    async close() {
      guard.close()
      await Promise.all([producer.close(), reader.close()])
    },
  }

  async function read(aggregate: AggregateType, id: string, from: number): Promise<StoredEvent[]> {
    const topic = eventTopic(prefix, aggregate)
    const meta = await describe(topic)
    const partition = partitionOfKey(id, meta.partitionsCount)
    const leader = meta.partitions[partition]!.leader
    const ends = await reader.listOffsets({ topics: [topic], partitions: { [topic]: [partition] } })
    const end = ends.get(topic)?.[partition] ?? 0n
    const key = Buffer.from(id)
    const found: StoredEvent[] = []
    for (let next = BigInt(from); next < end; ) {
      // Sessionless full fetches (epoch -1): the client's fetch sessions would serve a partition
      // from the broker's session position instead of the offset asked for.
      const connection = (await reader.connectToBrokers([leader])).get(leader)!
      const response = await fetchV17.api.async(
        connection,
        0,
        1,
        4_194_304,
        0,
        0,
        -1,
        [
          {
            topicId: meta.id,
            partitions: [{ partition, fetchOffset: next, partitionMaxBytes: 4_194_304, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }],
          },
        ],
        [],
        '',
      )
      const data = response.responses[0]?.partitions.find((p) => p.partitionIndex === partition)
      if (data?.errorCode !== 0) throw new Error(`fetching ${topic}/${partition} at ${next} failed (error ${data?.errorCode ?? 'no data'})`)
      // Records before the log start are gone (retention): carry on from the start.
      if (data.logStartOffset > next) {
        next = data.logStartOffset
        continue
      }
      let last = next - 1n
      const mine: { value: Buffer | null; headers: Record<string, Buffer>; offset: string }[] = []
      for (const batch of data.records ?? []) {
        last = batch.firstOffset + BigInt(batch.lastOffsetDelta)
        if (isControl(batch)) continue
        for (const r of batch.records) {
          const offset = batch.firstOffset + BigInt(r.offsetDelta)
          if (offset < next || !r.key?.equals(key)) continue
          mine.push({
            value: r.value,
            headers: Object.fromEntries(r.headers.map(([k, v]) => [k?.toString() ?? '', v ?? Buffer.alloc(0)])),
            offset: String(offset),
          })
        }
      }
      found.push(...(await deps.codec.decodeAll(mine, topic, partition)))
      if (last < next) throw new Error(`fetching ${topic}/${partition} at ${next} returned nothing before the end offset ${end}`)
      next = last + 1n
    }
    return found
  }
}
