import { newId } from '../src/infra/ids.ts'
import { eventTopic } from '../src/events/topics.ts'
import { partitionOfKey } from '../src/eventstore/partitioner.ts'
import type { BenchEnv } from './bench-env.ts'
import { waitUntil } from './bench-env.ts'
import type { Row } from './commands.bench.ts'

/** Writes `count` TaskCreated events straight to the log (one producer, batches of 5,000). */
export async function writeTaskEvents(env: BenchEnv, log: (line: string) => void, count: number): Promise<void> {
  const { services, config } = env
  await services.codec.resolveIds()
  const topic = eventTopic(config.kafka.topicPrefix, 'task')
  const partitions = (await services.admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length
  const producer = services.kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  log(`writing ${count.toLocaleString()} events to ${topic}`)
  const now = Date.now()
  for (let start = 0; start < count; start += 5_000) {
    const messages = Array.from({ length: Math.min(5_000, count - start) }, () => {
      const id = newId()
      const meta = {
        eventId: newId(),
        aggregateId: id,
        version: 1,
        occurredAt: now,
        commandId: id,
        correlationId: id,
        causationId: null,
        actor: 'bench',
      }
      const { value, headers } = services.codec.encode(
        'task',
        {
          type: 'TaskCreated',
          data: {
            title: 'bench',
            description: null,
            pool: 'bench',
            priority: 'NORMAL',
            payload: '{"n":1}',
            maxAttempts: 3,
            timeoutMs: 1000,
            projectId: null,
            workflowId: null,
            dependsOn: [],
            role: null,
            metadata: null,
          },
        },
        meta,
      )
      return { key: id, value, headers, partition: partitionOfKey(id, partitions) }
    })
    await producer.send({ topic, acks: -1, messages })
  }
  await producer.disconnect()
}

/** Times the projector (one group, every projection) over `count` events written straight to the log. */
export async function benchProjector(env: BenchEnv, log: (line: string) => void, count = 100_000): Promise<Row[]> {
  const { services } = env
  await writeTaskEvents(env, log, count)
  const applied = async () =>
    Number(
      (
        await services.db
          .selectFrom('projector_checkpoints')
          .select((eb) => eb.fn.sum<number>('next_offset').as('n'))
          .where('consumer', '=', 'main')
          .where('topic', 'like', '%.task.events')
          .executeTakeFirst()
      )?.n ?? 0,
    )
  log('starting the projector (every projection, one group)')
  const projector = env.spawnRole(['projector'])
  await waitUntil(async () => (await applied()) > 0, 60_000, 'the first projected batch')
  const t0 = performance.now()
  const n0 = await applied()
  await waitUntil(async () => (await applied()) >= count, 300_000, 'the projection to catch up')
  const rate = (count - n0) / ((performance.now() - t0) / 1000)
  projector.kill('SIGTERM')
  log(`  ${Math.round(rate)} events/s`)
  return [
    {
      figure: 'projector throughput into Postgres (every projection)',
      value: `${Math.round(rate).toLocaleString()} events/s`,
      target: '≥ 20,000 events/s',
      ok: rate >= 20_000,
    },
  ]
}
