import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogRecord } from '../src/eventstore/event-log.ts'
import { createKafkaEventLog } from '../src/eventstore/kafka-event-log.ts'
import { startHarness, type Harness } from './support/harness.ts'

describe('an append the client gets to the wire only after its deadline (real Kafka)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ api: false, projector: false, reactors: false })
  })
  afterAll(async () => {
    await h?.stop()
  })

  const recordFor = (partition: number, id: string, version: number): LogRecord => {
    const meta = {
      eventId: `${id}-v${version}`,
      aggregateId: id,
      version,
      occurredAt: Date.now(),
      commandId: `c${version}`,
      correlationId: 'late',
      causationId: null,
      actor: 'test',
    }
    const { value, headers } = h.services.codec.encode(
      'task',
      { type: 'TaskProgressReported', data: { percent: 1, message: 'late' } },
      meta,
    )
    return {
      topic: `${h.config.kafka.topicPrefix}.task.events`,
      partition,
      key: id,
      value,
      headers: headers as Record<string, string>,
      timestamp: meta.occurredAt,
    }
  }

  it('is never written: it fails as not sent, and an append in time afterwards lands', async () => {
    // The client is held up between the batcher's check and the socket, as a paused process would be.
    let holdUp = 300
    const log = await createKafkaEventLog({
      config: h.config,
      codec: h.services.codec,
      clientId: `late-${h.id}`,
      logger: h.services.logger,
      beforeProduce: () => sleep(holdUp),
    })
    try {
      const id = `late-${h.id}`
      const partition = log.partitionOf('task', id)
      await expect(log.append([recordFor(partition, id, 1)], performance.now() + 100)).rejects.toMatchObject({ code: 'append.not-sent' })
      expect(await log.readAggregate('task', id, 0)).toEqual([])

      holdUp = 0
      const [landed] = await log.append([recordFor(partition, id, 1)], performance.now() + 1_000)
      const events = await log.readAggregate('task', id, 0)
      expect(events.map((e) => [e.meta.version, e.position.offset])).toEqual([[1, landed!.offset]])
    } finally {
      await log.close()
    }
  })
})
