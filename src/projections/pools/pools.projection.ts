import type { StoredEvent } from '../../events/envelope.ts'
import type { PoolConfigUpdatedData } from '../../events/generated/event-types.ts'
import type { PoolsTable } from '../../database/schema.ts'
import type { RowProjection } from '../projection.ts'

export type PoolRow = Omit<PoolsTable, 'handler_config' | 'last_scaling' | 'created_at' | 'updated_at'> & {
  handler_config: unknown
  last_scaling: unknown
  created_at: Date
  updated_at: Date
}

const configColumns = (d: PoolConfigUpdatedData) => ({
  role: d.role,
  handler: d.handler,
  handler_config: JSON.parse(d.handlerConfig),
  max_agents_per_process: d.maxAgentsPerProcess,
  min_workers: d.minWorkers,
  max_workers: d.maxWorkers,
  lag_threshold: d.lagThreshold,
  scale_interval_ms: d.scaleIntervalMs,
  scale_down_stabilization_ms: d.scaleDownStabilizationMs,
  mode: d.mode,
})

function project(row: PoolRow | undefined, event: StoredEvent): PoolRow | undefined {
  const at = new Date(event.meta.occurredAt)
  const touched = (r: PoolRow, changes: Partial<PoolRow>): PoolRow => ({ ...r, ...changes, version: event.meta.version, updated_at: at })
  switch (event.type) {
    case 'PoolCreated':
      return {
        name: event.meta.aggregateId,
        version: event.meta.version,
        ...configColumns(event.data),
        status: 'active',
        workers: 0,
        last_scaling: null,
        degraded_reason: null,
        degraded_at: null,
        created_at: at,
        updated_at: at,
      }
    case 'PoolConfigUpdated':
      return row && touched(row, configColumns(event.data))
    case 'PoolDrainStarted':
      return row && touched(row, { status: 'draining' })
    // A deleted pool leaves the read model; its name may be used again.
    case 'PoolDeleted':
      return undefined
    case 'PoolScaled':
      return row && touched(row, { workers: event.data.toWorkers, last_scaling: { ...event.data, at: at.toISOString() } })
    case 'PoolDegraded':
      return row && touched(row, { degraded_reason: event.data.reason, degraded_at: at })
    case 'PoolRecovered':
      return row && touched(row, { degraded_reason: null, degraded_at: null })
    default:
      return row
  }
}

export const poolsProjection: RowProjection<'pools', PoolRow> = {
  kind: 'row',
  name: 'pools',
  aggregates: ['pool'],
  table: 'pools',
  key: 'name',
  keyOf: (e) => e.meta.aggregateId,
  project,
  sparse: true,
}
