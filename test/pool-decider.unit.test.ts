import { describe, it } from 'vitest'
import { poolDecider } from '../src/commands/pool/pool.decider.ts'
import type { PoolConfig } from '../src/commands/pool/pool.state.ts'
import type { PoolEvent } from '../src/events/generated/event-types.ts'
import { specFor } from './support/decider-spec.ts'

const spec = specFor(poolDecider)

const config: PoolConfig = {
  mode: 'workers',
  role: 'echo',
  handler: 'echo',
  handlerConfig: { delayMs: 1 },
  maxAgentsPerProcess: 10,
  minWorkers: 0,
  maxWorkers: 4,
  lagThreshold: 10,
  scaleIntervalMs: 2000,
  scaleDownStabilizationMs: 30000,
}
const data = (c: PoolConfig) => ({ ...c, handlerConfig: JSON.stringify(c.handlerConfig) })
const created: PoolEvent = { type: 'PoolCreated', data: data(config) }
const draining: PoolEvent = { type: 'PoolDrainStarted', data: { activeTasks: 2 } }
const deleted = (drained: boolean): PoolEvent => ({ type: 'PoolDeleted', data: { drained } })
const scaling = { type: 'RecordScaling', fromWorkers: 0, toWorkers: 3, lag: 25, timeLagMs: 800, reason: 'lag above threshold' } as const

describe('pool decider: create and update', () => {
  it('creates a pool; a repeat by the same command is a no-op; another create is refused', () => {
    spec.given([]).when({ type: 'CreatePool', commandId: 'c1', config }).then([created])
    spec
      .given([[created, { commandId: 'c1' }]])
      .when({ type: 'CreatePool', commandId: 'c1', config })
      .then([])
    spec
      .given([[created, { commandId: 'c1' }]])
      .when({ type: 'CreatePool', commandId: 'c2', config })
      .thenThrows('pool.already-exists')
  })
  it('creates again under the name of a deleted pool', () => {
    spec
      .given([created, deleted(false)])
      .when({ type: 'CreatePool', commandId: 'c3', config })
      .then([created])
  })
  it('refuses min > max and other invalid limits', () => {
    spec
      .given([])
      .when({ type: 'CreatePool', commandId: 'c1', config: { ...config, minWorkers: 5, maxWorkers: 2 } })
      .thenThrows('pool.invalid-config')
    spec
      .given([])
      .when({ type: 'CreatePool', commandId: 'c1', config: { ...config, maxAgentsPerProcess: 0 } })
      .thenThrows('pool.invalid-config')
    spec
      .given([])
      .when({ type: 'CreatePool', commandId: 'c1', config: { ...config, lagThreshold: 0 } })
      .thenThrows('pool.invalid-config')
    spec
      .given([])
      .when({ type: 'CreatePool', commandId: 'c1', config: { ...config, scaleIntervalMs: 0 } })
      .thenThrows('pool.invalid-config')
  })
  it('updates part of the config and emits the whole new config; no change is a no-op', () => {
    spec
      .given([created])
      .when({ type: 'UpdatePoolConfig', changes: { maxWorkers: 8, lagThreshold: undefined } })
      .then([{ type: 'PoolConfigUpdated', data: data({ ...config, maxWorkers: 8 }) }])
    spec
      .given([created])
      .when({ type: 'UpdatePoolConfig', changes: { maxWorkers: 4 } })
      .then([])
  })
  it('refuses an update that makes min exceed max, and updates of unknown or deleted pools', () => {
    spec
      .given([created])
      .when({ type: 'UpdatePoolConfig', changes: { minWorkers: 5 } })
      .thenThrows('pool.invalid-config')
    spec
      .given([])
      .when({ type: 'UpdatePoolConfig', changes: { minWorkers: 1 } })
      .thenThrows('pool.not-found')
    spec
      .given([created, deleted(false)])
      .when({ type: 'UpdatePoolConfig', changes: { minWorkers: 1 } })
      .thenThrows('pool.deleted')
  })
})

describe('pool decider: delete and drain', () => {
  it('deletes a pool without active tasks', () => {
    spec
      .given([created])
      .when({ type: 'DeletePool', drain: false, activeTasks: 0 })
      .then([deleted(false)])
  })
  it('refuses to delete while tasks are active unless draining', () => {
    spec.given([created]).when({ type: 'DeletePool', drain: false, activeTasks: 1 }).thenThrows('pool.has-active-tasks')
    spec.given([created]).when({ type: 'DeletePool', drain: true, activeTasks: 2 }).then([draining])
    spec.given([created, draining]).when({ type: 'DeletePool', drain: true, activeTasks: 2 }).then([])
  })
  it('refuses to delete unknown or deleted pools', () => {
    spec.given([]).when({ type: 'DeletePool', drain: false, activeTasks: 0 }).thenThrows('pool.not-found')
    spec
      .given([created, deleted(false)])
      .when({ type: 'DeletePool', drain: false, activeTasks: 0 })
      .thenThrows('pool.deleted')
  })
  it('retires a draining pool once no task is active, and is a no-op otherwise', () => {
    spec
      .given([created, draining])
      .when({ type: 'RetirePool', activeTasks: 0 })
      .then([deleted(true)])
    spec.given([created, draining]).when({ type: 'RetirePool', activeTasks: 1 }).then([])
    spec
      .given([created, draining, deleted(true)])
      .when({ type: 'RetirePool', activeTasks: 0 })
      .then([])
    spec.given([created]).when({ type: 'RetirePool', activeTasks: 0 }).then([])
    spec.given([]).when({ type: 'RetirePool', activeTasks: 0 }).then([])
  })
})

describe('pool decider: scaling', () => {
  it('records a scaling decision; an unchanged worker count is a no-op', () => {
    spec
      .given([created])
      .when(scaling)
      .then([{ type: 'PoolScaled', data: { fromWorkers: 0, toWorkers: 3, lag: 25, timeLagMs: 800, reason: 'lag above threshold' } }])
    spec
      .given([created])
      .when({ ...scaling, toWorkers: 0 })
      .then([])
  })
  it('refuses negative numbers and unknown or deleted pools', () => {
    spec
      .given([created])
      .when({ ...scaling, lag: -1 })
      .thenThrows('pool.invalid-scaling')
    spec.given([]).when(scaling).thenThrows('pool.not-found')
    spec
      .given([created, deleted(false)])
      .when(scaling)
      .thenThrows('pool.deleted')
  })
})

describe('pool decider: health of the worker group', () => {
  const report = (healthy: boolean, reason = 'handler ./x.js cannot be loaded') =>
    ({ type: 'ReportPoolHealth', healthy, reason, failures: 2 }) as const
  const degradedBy = (reason: string): PoolEvent => ({ type: 'PoolDegraded', data: { reason, failures: 2 } })

  it('degrades a pool once per reason and recovers it once', () => {
    spec
      .given([created])
      .when(report(false))
      .then([degradedBy('handler ./x.js cannot be loaded')])
    spec
      .given([created, degradedBy('handler ./x.js cannot be loaded')])
      .when(report(false))
      .then([])
    spec
      .given([created, degradedBy('handler ./x.js cannot be loaded')])
      .when(report(false, 'worker processes keep exiting (code 1) before they consume'))
      .then([degradedBy('worker processes keep exiting (code 1) before they consume')])
    spec
      .given([created, degradedBy('handler ./x.js cannot be loaded')])
      .when(report(true))
      .then([{ type: 'PoolRecovered', data: { failures: 2 } }])
  })
  it('a healthy report of a healthy pool, or any report of an unknown or deleted pool, changes nothing', () => {
    spec.given([created]).when(report(true)).then([])
    spec.given([]).when(report(false)).then([])
    spec
      .given([created, deleted(false)])
      .when(report(false))
      .then([])
  })
})
