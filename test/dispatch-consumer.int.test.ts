import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDispatchChannel } from '../src/dispatch/dispatch-channel.ts'
import { dispatchTopic } from '../src/dispatch/dispatch-topics.ts'
import type { DispatchRecord } from '../src/events/generated/event-types.ts'
import { createProducer } from '../src/infra/kafka-clients.ts'
import { createDispatchConsumer } from '../src/workers/dispatch-consumer.ts'
import { startHarness, waitFor, type Harness } from './support/harness.ts'

describe('the dispatch consumer of a worker process (real Kafka)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ api: false, projector: false, reactors: false, env: { AGENTFLEET_DISPATCH_PARTITIONS: '1' } })
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('runs a record once although it arrives again after its run ended (a redelivery after a rebalance)', async () => {
    const { config, services } = h
    const pool = 'redelivered'
    const channel = createDispatchChannel({
      admin: services.admin,
      registry: services.registry,
      registryUrl: config.registryUrl,
      schemas: services.schemas,
      prefix: config.kafka.topicPrefix,
      partitions: 1,
    })
    const ids = await channel.ensurePool(pool)
    const record = (taskId: string): DispatchRecord => ({
      taskId,
      pool,
      priority: 'NORMAL',
      attempt: 1,
      dispatchVersion: 2,
      queuedAt: Date.now(),
      correlationId: taskId,
    })
    const producer = createProducer(config, `test-${h.id}-dispatch`)
    const send = (r: DispatchRecord) =>
      producer.send({
        messages: [
          {
            topic: dispatchTopic(config.kafka.topicPrefix, pool, 'NORMAL'),
            partition: 0,
            key: Buffer.from(r.taskId),
            value: channel.dispatch.encode(r, ids.laneSchemaId),
          },
        ],
      } as never)
    const runs: string[] = []
    const consumer = createDispatchConsumer({
      kafka: services.kafka,
      prefix: config.kafka.topicPrefix,
      pool,
      maxAgents: 2,
      codec: channel.dispatch,
      logger: services.logger,
      run: async (r, started) => {
        started()
        runs.push(r.taskId)
      },
    })
    try {
      await consumer.start()
      await send(record('t1'))
      await waitFor(async () => runs.length === 1, 'the first run')
      // The same record again (as a rebalance redelivers an uncommitted one), then another task.
      await send(record('t1'))
      await send(record('t2'))
      await waitFor(async () => runs.includes('t2'), 'the next record')
      expect(runs).toEqual(['t1', 't2'])
    } finally {
      await consumer.drain(1_000, () => undefined)
      await producer.close()
    }
  })
})
