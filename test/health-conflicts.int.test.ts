import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './support/harness.ts'

type Ready = {
  status: string
  dependencies: Record<string, { status: string }>
  checks: {
    eventConflicts: { status: string; count?: number; countCapped?: boolean; latest?: { group: string; stream: string; kind: string } }
  }
}

describe('/health/ready and event conflicts', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ projector: false, reactors: false })
  })
  afterAll(async () => {
    await h?.stop()
  })

  const ready = async () => {
    const res = await fetch(`${h.baseUrl}/health/ready`)
    return { status: res.status, body: (await res.json()) as Ready }
  }

  it('is ready while event_conflicts is empty', async () => {
    const { status, body } = await ready()
    expect(status).toBe(200)
    expect(body.status).toBe('ready')
    expect(body.checks.eventConflicts).toEqual({ status: 'ok' })
  })

  it('stays in the load balancer (200) but says degraded, with the conflict, once a projector recorded one', async () => {
    await h.services.db
      .insertInto('event_conflicts')
      .values({
        consumer: 'main',
        stream: 'task:t-1',
        kind: 'duplicate-version',
        event_id: 'ev-dup',
        event_type: 'TaskCreated',
        version: 1,
        expected_version: 2,
        topic: `${h.config.kafka.topicPrefix}.task.events`,
        partition: 0,
        offset: 7,
      })
      .execute()
    const { status, body } = await ready()
    expect(status).toBe(200)
    expect(body.status).toBe('degraded')
    for (const d of Object.values(body.dependencies)) expect(d.status).toBe('up')
    expect(body.checks.eventConflicts).toMatchObject({
      status: 'failing',
      count: 1,
      countCapped: false,
      latest: { group: 'main', stream: 'task:t-1', kind: 'duplicate-version' },
    })
  })
})
