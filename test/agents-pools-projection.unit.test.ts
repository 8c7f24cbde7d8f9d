import { describe, expect, it } from 'vitest'
import type { AggregateType, StoredEvent } from '../src/events/envelope.ts'
import { agentsProjection, type AgentRow } from '../src/projections/agents/agents.projection.ts'
import { poolsProjection, type PoolRow } from '../src/projections/pools/pools.projection.ts'
import { meta } from './support/decider-spec.ts'

const stored = (aggregateType: AggregateType, id: string, version: number, type: string, data: Record<string, unknown>): StoredEvent =>
  ({
    type,
    data,
    aggregateType,
    meta: meta(version, { aggregateId: id }),
    position: { topic: 'x', partition: 0, offset: String(version) },
  }) as StoredEvent

const foldAgent = (events: StoredEvent[]) => events.reduce<AgentRow | undefined>((r, e) => agentsProjection.project(r, e), undefined)
const foldPool = (events: StoredEvent[]) => events.reduce<PoolRow | undefined>((r, e) => poolsProjection.project(r, e), undefined)

const agent = (v: number, type: string, data: Record<string, unknown>) => stored('agent', 'a1', v, type, data)
const pool = (v: number, type: string, data: Record<string, unknown>) => stored('pool', 'echoes', v, type, data)
const registered = agent(1, 'AgentRegistered', {
  name: 'n',
  role: 'r',
  pool: 'p',
  projectId: 'prj',
  capabilities: ['x'],
  metadata: '{"k":1}',
})
const spawned = agent(1, 'AgentSpawned', { name: 'w', role: 'echo', pool: 'echoes', capabilities: [], metadata: '{}' })
const config = {
  mode: 'workers',
  role: 'echo',
  handler: 'echo',
  handlerConfig: '{"d":1}',
  maxAgentsPerProcess: 10,
  minWorkers: 0,
  maxWorkers: 4,
  lagThreshold: 10,
  scaleIntervalMs: 2000,
  scaleDownStabilizationMs: 30000,
}

describe('agents projection', () => {
  it('creates a registered agent: idle, healthy, registration as first heartbeat', () => {
    expect(foldAgent([registered])).toMatchObject({
      id: 'a1',
      version: 1,
      status: 'idle',
      healthy: true,
      origin: 'registered',
      project_id: 'prj',
      pool: 'p',
      capabilities: ['x'],
      metadata: { k: 1 },
      last_heartbeat_at: new Date(registered.meta.occurredAt),
    })
  })

  it('updates the fields a profile update names and keeps the others', () => {
    const row = foldAgent([
      registered,
      agent(2, 'AgentProfileUpdated', { role: 'writer', capabilities: null, metadata: null }),
      agent(3, 'AgentProfileUpdated', { role: null, capabilities: ['y', 'z'], metadata: '{"k":2}' }),
    ])
    expect(row).toMatchObject({ version: 3, role: 'writer', capabilities: ['y', 'z'], metadata: { k: 2 }, name: 'n', status: 'idle' })
  })

  it('tracks status, health and the heartbeat times carried by the events', () => {
    const rows = [
      agent(2, 'AgentStatusChanged', { from: 'idle', to: 'busy', reason: 'task' }),
      agent(3, 'AgentWentOffline', { lastHeartbeatAt: 5_000, previousStatus: 'busy' }),
      agent(4, 'AgentRecovered', { heartbeatAt: 9_000, status: 'idle' }),
    ].reduce<AgentRow[]>(
      (acc, e) => {
        acc.push(agentsProjection.project(acc.at(-1), e)!)
        return acc
      },
      [foldAgent([registered])!],
    )
    expect(rows[1]).toMatchObject({ version: 2, status: 'busy', status_reason: 'task' })
    expect(rows[2]).toMatchObject({
      version: 3,
      status: 'offline',
      healthy: false,
      last_heartbeat_at: new Date(5_000),
      status_reason: null,
    })
    expect(rows[3]).toMatchObject({ version: 4, status: 'idle', healthy: true, last_heartbeat_at: new Date(9_000), status_reason: null })
  })

  it('follows a spawned agent from pending through hosting to termination', () => {
    const hosted = foldAgent([spawned, agent(2, 'AgentHosted', { workerId: 'w1', processId: '7' })])
    expect(foldAgent([spawned])).toMatchObject({ status: 'pending', origin: 'spawned', last_heartbeat_at: null, project_id: null })
    expect(hosted).toMatchObject({ status: 'idle', worker_id: 'w1', process_id: '7' })
    const stopping = agentsProjection.project(hosted, agent(3, 'AgentTerminationRequested', { graceful: true, reason: null }))
    expect(stopping).toMatchObject({ status: 'terminating', graceful: true })
    expect(
      agentsProjection.project(stopping, agent(4, 'AgentWentOffline', { lastHeartbeatAt: 1, previousStatus: 'terminating' })),
    ).toMatchObject({ status: 'terminating', healthy: false })
    expect(agentsProjection.project(stopping, agent(4, 'AgentTerminated', { reason: 'done' }))).toMatchObject({
      status: 'terminated',
      version: 4,
    })
  })

  it('keeps deregistered agents with their status and ignores events of unknown rows', () => {
    expect(foldAgent([registered, agent(2, 'AgentDeregistered', { reason: 'bye' })])).toMatchObject({
      status: 'deregistered',
      status_reason: 'bye',
    })
    expect(agentsProjection.project(undefined, agent(2, 'AgentStatusChanged', { from: 'idle', to: 'busy', reason: null }))).toBeUndefined()
  })
})

describe('pools projection', () => {
  it('creates a pool with its config and no workers', () => {
    expect(foldPool([pool(1, 'PoolCreated', config)])).toMatchObject({
      name: 'echoes',
      version: 1,
      role: 'echo',
      handler_config: { d: 1 },
      max_workers: 4,
      status: 'active',
      workers: 0,
      last_scaling: null,
    })
  })

  it('applies config updates, drains and the latest scaling decision', () => {
    const updated = foldPool([pool(1, 'PoolCreated', config), pool(2, 'PoolConfigUpdated', { ...config, maxWorkers: 9 })])
    expect(updated).toMatchObject({ version: 2, max_workers: 9 })
    const scaled = poolsProjection.project(
      updated,
      pool(3, 'PoolScaled', { fromWorkers: 0, toWorkers: 3, lag: 40, timeLagMs: 900, reason: 'lag' }),
    )
    expect(scaled).toMatchObject({ workers: 3, last_scaling: { fromWorkers: 0, toWorkers: 3, lag: 40, reason: 'lag' } })
    expect(poolsProjection.project(scaled, pool(4, 'PoolDrainStarted', { activeTasks: 1 }))).toMatchObject({
      status: 'draining',
      workers: 3,
    })
  })

  it('shows a degraded pool with its reason until it recovers', () => {
    const degraded = foldPool([
      pool(1, 'PoolCreated', config),
      pool(2, 'PoolDegraded', { reason: 'handler ./x.js cannot be loaded', failures: 1 }),
    ])
    expect(degraded).toMatchObject({ version: 2, degraded_reason: 'handler ./x.js cannot be loaded' })
    expect(degraded?.degraded_at).toBeInstanceOf(Date)
    expect(poolsProjection.project(degraded, pool(3, 'PoolRecovered', { failures: 4 }))).toMatchObject({
      version: 3,
      degraded_reason: null,
      degraded_at: null,
    })
  })

  it('removes a deleted pool so that its name can be created again', () => {
    expect(foldPool([pool(1, 'PoolCreated', config), pool(2, 'PoolDeleted', { drained: false })])).toBeUndefined()
    expect(
      foldPool([pool(1, 'PoolCreated', config), pool(2, 'PoolDeleted', { drained: false }), pool(3, 'PoolCreated', config)]),
    ).toMatchObject({ version: 3, status: 'active' })
  })
})
