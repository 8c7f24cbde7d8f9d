import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProjector } from '../src/projections/projector.ts'
import { postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { parsePromText, sampleValue } from './support/prom-text.ts'

type LagBody = { projections: { projection: string; lag: number }[]; groups: { group: string; lag: number }[] }

describe('/metrics and /api/v1/system/lag against the real stack', () => {
  let h: Harness
  let projector: { stop: () => Promise<void> } | undefined
  beforeAll(async () => {
    h = await startHarness({ pools: ['lag', 'metrics', 'other'], projector: false, env: { AGENTFLEET_METRICS_CACHE_MS: '100' } })
  })
  afterAll(async () => {
    await projector?.stop()
    await h?.stop()
  })

  const scrape = async () => {
    const res = await fetch(`${h.baseUrl}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    return parsePromText(await res.text())
  }
  const lag = async () => (await (await fetch(`${h.baseUrl}/api/v1/system/lag`)).json()) as LagBody
  const projectionLag = (body: LagBody, name: string) => body.projections.find((p) => p.projection === name)?.lag

  it('shows lag for a stopped projection, and zero once it has caught up', async () => {
    for (let i = 0; i < 3; i++) expect((await postJson(`${h.baseUrl}/api/v1/tasks`, { title: `lag ${i}`, pool: 'lag' })).status).toBe(201)
    const behind = await waitFor(async () => {
      const b = await lag()
      return projectionLag(b, 'tasks') === 6 && b
    }, 'tasks projection lag 6 (3 tasks, created + queued each)')
    // The snapshots projection folds the same task events, and the three pools' PoolCreated.
    expect(projectionLag(behind, 'snapshots')).toBe(6 + 3)
    expect(sampleValue((await scrape()).samples, 'agentfleet_projection_lag_events', { projection: 'tasks' })).toBe(6)

    projector = await startProjector(h.services)
    const group = `${h.config.kafka.topicPrefix}.projector.main`
    const caughtUp = await waitFor(async () => {
      const b = await lag()
      return (
        projectionLag(b, 'tasks') === 0 && projectionLag(b, 'snapshots') === 0 && b.groups.find((g) => g.group === group)?.lag === 0 && b
      )
    }, 'projections to catch up')
    // The stream's own tail groups never commit and are not reported.
    expect(caughtUp.groups.some((g) => g.group.includes('.stream.'))).toBe(false)
    const { samples } = await scrape()
    expect(sampleValue(samples, 'agentfleet_projection_lag_events', { projection: 'tasks' })).toBe(0)
    expect(samples.some((s) => s.name === 'agentfleet_consumer_group_lag' && s.labels.group === group && s.value === 0)).toBe(true)
  })

  it('exposes command, HTTP, conflict, DLQ and worker families whose values follow what happens', async () => {
    const before = await scrape()
    for (const [name, type] of [
      ['agentfleet_commands_total', 'counter'],
      ['agentfleet_command_duration_seconds', 'histogram'],
      ['agentfleet_http_request_duration_seconds', 'histogram'],
      ['agentfleet_projection_lag_events', 'gauge'],
      ['agentfleet_consumer_group_lag', 'gauge'],
      ['agentfleet_event_conflicts', 'gauge'],
      ['agentfleet_dlq_tasks', 'gauge'],
      ['agentfleet_pool_workers', 'gauge'],
      ['agentfleet_queue_depth', 'gauge'],
      ['agentfleet_tasks', 'gauge'],
      ['agentfleet_agents', 'gauge'],
      ['agentfleet_agents_healthy', 'gauge'],
      ['agentfleet_stream_clients', 'gauge'],
    ] as const)
      expect(before.types.get(name), name).toBe(type)
    const ok = { aggregate: 'task', command: 'CreateTask', outcome: 'ok' }
    const created = sampleValue(before.samples, 'agentfleet_commands_total', ok)

    const { id } = (await (await postJson(`${h.baseUrl}/api/v1/tasks`, { title: 'm', pool: 'metrics' })).json()) as { id: string }
    expect((await postJson(`${h.baseUrl}/api/v1/tasks/${id}/cancel`, {})).status).toBe(200)
    expect((await postJson(`${h.baseUrl}/api/v1/tasks/${id}/cancel`, {})).status).toBe(200)
    expect((await postJson(`${h.baseUrl}/api/v1/tasks/${id}/progress`, { percent: 5 })).status).toBe(409)

    expect((await fetch(`${h.baseUrl}/api/v1/tasks/${id}?minVersion=3`)).status).toBe(200)
    // Read-model figures come from the tables as they are.
    await sql`insert into event_conflicts (consumer, stream, kind, event_id, event_type, version, expected_version, topic, partition, "offset")
      values ('main', 'task:x', 'duplicate-version', 'e1', 'TaskCreated', 1, 2, 't', 0, 0)`.execute(h.services.db)
    await sql`update tasks set status = 'dead_lettered' where id = ${id}`.execute(h.services.db)
    // Of the three queued tasks of pool lag, one runs now; one healthy agent serves pool metrics.
    await sql`update tasks set status = 'running' where id = (select id from tasks where pool = 'lag' order by id limit 1)`.execute(
      h.services.db,
    )
    expect((await postJson(`${h.baseUrl}/api/v1/agents`, { id: 'gauge-agent', name: 'g', role: 'r', pool: 'metrics' })).status).toBe(201)
    // w4 stopped heartbeating: its row expired, so it is not counted.
    await sql`insert into worker_processes (worker_id, pool, host, pid, status, started_at, last_seen_at, expires_at)
      values ('w1', 'metrics', 'h', 1, 'consuming', now(), now(), now() + interval '1 minute'),
             ('w2', 'metrics', 'h', 2, 'consuming', now(), now(), now() + interval '1 minute'),
             ('w3', 'other', 'h', 3, 'draining', now(), now(), now() + interval '1 minute'),
             ('w4', 'metrics', 'h', 4, 'consuming', now(), now(), now() - interval '1 second')`.execute(h.services.db)

    const after = await waitFor(async () => {
      const s = await scrape()
      return (
        sampleValue(s.samples, 'agentfleet_dlq_tasks', { pool: 'metrics' }) === 1 &&
        sampleValue(s.samples, 'agentfleet_agents_healthy', { pool: 'metrics' }) === 1 &&
        s
      )
    }, 'the DLQ and agent gauges to move')
    const { samples } = after
    expect(sampleValue(samples, 'agentfleet_commands_total', ok)).toBe(created + 1)
    expect(sampleValue(samples, 'agentfleet_commands_total', { command: 'CancelTask', outcome: 'ok' })).toBe(1)
    expect(sampleValue(samples, 'agentfleet_commands_total', { command: 'CancelTask', outcome: 'noop' })).toBe(1)
    expect(sampleValue(samples, 'agentfleet_commands_total', { command: 'ReportTaskProgress', outcome: 'rejected' })).toBe(1)
    expect(sampleValue(samples, 'agentfleet_command_duration_seconds_count', ok)).toBe(created + 1)
    expect(
      sampleValue(samples, 'agentfleet_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/tasks/:id/progress',
        status: '409',
      }),
    ).toBe(1)
    expect(
      sampleValue(samples, 'agentfleet_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/tasks', status: '201' }),
    ).toBeGreaterThanOrEqual(4)
    expect(sampleValue(samples, 'agentfleet_event_conflicts', { group: 'main' })).toBe(1)
    expect(sampleValue(samples, 'agentfleet_pool_workers', { pool: 'metrics', status: 'consuming' })).toBe(2)
    expect(sampleValue(samples, 'agentfleet_pool_workers', { pool: 'other', status: 'draining' })).toBe(1)
    expect(sampleValue(samples, 'agentfleet_queue_depth', { pool: 'lag', priority: 'NORMAL' })).toBe(2)
    expect(sampleValue(samples, 'agentfleet_tasks', { pool: 'lag', status: 'running' })).toBe(1)
    expect(sampleValue(samples, 'agentfleet_tasks', { pool: 'lag', status: 'queued' })).toBe(2)
    expect(sampleValue(samples, 'agentfleet_tasks', { pool: 'metrics', status: 'dead_lettered' })).toBe(1)
    expect(sampleValue(samples, 'agentfleet_agents', { pool: 'metrics', status: 'idle', healthy: 'true' })).toBe(1)
    // /metrics is in the OpenAPI document with the other routes.
    const doc = (await (await fetch(`${h.baseUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> }
    expect(Object.keys(doc.paths)).toContain('/metrics')
    // Raw paths never become label values.
    expect(samples.some((s) => s.labels.route?.includes(id))).toBe(false)

    // A purged dead letter is gone from /dead-letters, and from the gauge.
    await sql`update tasks set purged = true where id = ${id}`.execute(h.services.db)
    await waitFor(
      async () => sampleValue((await scrape()).samples, 'agentfleet_dlq_tasks', { pool: 'metrics' }) === 0,
      'the purged task to leave the DLQ gauge',
    )
  })
})
