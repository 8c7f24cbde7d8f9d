import { DomainError } from '../../errors.ts'
import type { PoolConfigUpdatedData, PoolEvent } from '../../events/generated/event-types.ts'
import { assertNever, type Decider } from '../decider.ts'
import type { CreatePool, DeletePool, PoolCommand, RecordScaling, ReportPoolHealth, RetirePool, UpdatePoolConfig } from './pool.commands.ts'
import { poolNumberProblems } from './pool-limits.ts'
import { PoolMode, type ExistingPool, type PoolConfig, type PoolState } from './pool.state.ts'

const mustBeLive = (state: PoolState): ExistingPool => {
  if (!state.exists) throw new DomainError('pool.not-found', 'the pool does not exist')
  if (state.status === 'deleted') throw new DomainError('pool.deleted', 'the pool was deleted')
  return state
}

const invalid = (message: string): never => {
  throw new DomainError('pool.invalid-config', message)
}

function validate(c: PoolConfig): PoolConfig {
  const problems = poolNumberProblems(c)
  if (!PoolMode.includes(c.mode)) problems.push(`mode must be one of ${PoolMode.join(', ')}, not ${c.mode}`)
  if (problems.length > 0) invalid(problems.join('; '))
  return c
}

const configData = (c: PoolConfig): PoolConfigUpdatedData => ({ ...c, handlerConfig: JSON.stringify(c.handlerConfig) })

const sameConfig = (a: PoolConfig, b: PoolConfig): boolean => JSON.stringify(configData(a)) === JSON.stringify(configData(b))

const create = (c: CreatePool, state: PoolState): PoolEvent[] => {
  if (state.exists && state.status !== 'deleted') {
    if (state.createdBy === c.commandId) return []
    throw new DomainError('pool.already-exists', 'a pool with this name already exists')
  }
  return [{ type: 'PoolCreated', data: configData(validate(c.config)) }]
}

const update = (c: UpdatePoolConfig, state: PoolState): PoolEvent[] => {
  const pool = mustBeLive(state)
  const defined = Object.fromEntries(Object.entries(c.changes).filter(([, v]) => v !== undefined))
  const next = validate({ ...pool.config, ...defined })
  return sameConfig(next, pool.config) ? [] : [{ type: 'PoolConfigUpdated', data: configData(next) }]
}

const remove = (c: DeletePool, state: PoolState): PoolEvent[] => {
  const pool = mustBeLive(state)
  if (c.activeTasks === 0) return [{ type: 'PoolDeleted', data: { drained: pool.status === 'draining' } }]
  if (!c.drain)
    throw new DomainError(
      'pool.has-active-tasks',
      `${c.activeTasks} task(s) of the pool are still active; retry later or delete with ?drain=true`,
      { details: { activeTasks: c.activeTasks } },
    )
  return pool.status === 'draining' ? [] : [{ type: 'PoolDrainStarted', data: { activeTasks: c.activeTasks } }]
}

const retire = (c: RetirePool, state: PoolState): PoolEvent[] => {
  if (!state.exists || state.status !== 'draining' || c.activeTasks > 0) return []
  return [{ type: 'PoolDeleted', data: { drained: true } }]
}

const recordScaling = (c: RecordScaling, state: PoolState): PoolEvent[] => {
  mustBeLive(state)
  const whole = (v: number) => Number.isInteger(v) && v >= 0
  if (![c.fromWorkers, c.toWorkers, c.lag, c.timeLagMs].every(whole))
    throw new DomainError('pool.invalid-scaling', 'worker counts and lags must be whole, non-negative numbers')
  if (c.fromWorkers === c.toWorkers) return []
  return [
    {
      type: 'PoolScaled',
      data: { fromWorkers: c.fromWorkers, toWorkers: c.toWorkers, lag: c.lag, timeLagMs: c.timeLagMs, reason: c.reason },
    },
  ]
}

const reportHealth = (c: ReportPoolHealth, state: PoolState): PoolEvent[] => {
  if (!state.exists || state.status === 'deleted') return []
  if (c.healthy) return state.degraded === null ? [] : [{ type: 'PoolRecovered', data: { failures: c.failures } }]
  return state.degraded === c.reason ? [] : [{ type: 'PoolDegraded', data: { reason: c.reason, failures: c.failures } }]
}

const configOf = (d: PoolConfigUpdatedData): PoolConfig => ({
  ...d,
  mode: d.mode === 'pull' ? 'pull' : 'workers',
  handlerConfig: JSON.parse(d.handlerConfig) as Record<string, unknown>,
})

export const poolDecider: Decider<PoolState, PoolCommand, PoolEvent> = {
  initialState: () => ({ exists: false }),

  decide(command, state) {
    switch (command.type) {
      case 'CreatePool':
        return create(command, state)
      case 'UpdatePoolConfig':
        return update(command, state)
      case 'DeletePool':
        return remove(command, state)
      case 'RetirePool':
        return retire(command, state)
      case 'RecordScaling':
        return recordScaling(command, state)
      case 'ReportPoolHealth':
        return reportHealth(command, state)
      default:
        return assertNever(command)
    }
  },

  evolve(state, event, meta) {
    switch (event.type) {
      case 'PoolCreated':
        return { exists: true, createdBy: meta.commandId, status: 'active', config: configOf(event.data), workers: 0, degraded: null }
      case 'PoolConfigUpdated':
        return state.exists ? { ...state, config: configOf(event.data) } : state
      case 'PoolDrainStarted':
        return state.exists ? { ...state, status: 'draining' } : state
      case 'PoolDeleted':
        return state.exists ? { ...state, status: 'deleted' } : state
      case 'PoolScaled':
        return state.exists ? { ...state, workers: event.data.toWorkers } : state
      case 'PoolDegraded':
        return state.exists ? { ...state, degraded: event.data.reason } : state
      case 'PoolRecovered':
        return state.exists ? { ...state, degraded: null } : state
      default:
        return assertNever(event)
    }
  },
}
