import type { StoredEvent } from '../../events/envelope.ts'
import type { AgentsTable } from '../../database/schema.ts'
import type { RowProjection } from '../projection.ts'

export type AgentRow = Omit<AgentsTable, 'metadata' | 'last_heartbeat_at' | 'created_at' | 'updated_at'> & {
  metadata: unknown
  last_heartbeat_at: Date | null
  created_at: Date
  updated_at: Date
}

function project(row: AgentRow | undefined, event: StoredEvent): AgentRow | undefined {
  const at = new Date(event.meta.occurredAt)
  const touched = (r: AgentRow, changes: Partial<AgentRow>): AgentRow => ({ ...r, ...changes, version: event.meta.version, updated_at: at })
  const fresh = (
    d: { name: string; role: string; pool: string | null; capabilities: readonly string[]; metadata: string },
    changes: Partial<AgentRow>,
  ): AgentRow => ({
    id: event.meta.aggregateId,
    version: event.meta.version,
    name: d.name,
    role: d.role,
    pool: d.pool,
    project_id: null,
    capabilities: [...d.capabilities],
    metadata: JSON.parse(d.metadata),
    origin: 'registered',
    status: 'idle',
    status_reason: null,
    healthy: true,
    last_heartbeat_at: null,
    worker_id: null,
    process_id: null,
    graceful: null,
    created_at: at,
    updated_at: at,
    ...changes,
  })
  switch (event.type) {
    // Registration counts as the first sign of life: the API records it as a heartbeat too.
    case 'AgentRegistered':
      return fresh(event.data, { project_id: event.data.projectId, last_heartbeat_at: at })
    case 'AgentSpawned':
      return fresh(event.data, { origin: 'spawned', status: 'pending' })
    case 'AgentStatusChanged':
      return row && touched(row, { status: event.data.to, status_reason: event.data.reason })
    case 'AgentProfileUpdated': {
      const d = event.data
      return (
        row &&
        touched(row, {
          ...(d.role === null ? {} : { role: d.role }),
          ...(d.capabilities === null ? {} : { capabilities: [...d.capabilities] }),
          ...(d.metadata === null ? {} : { metadata: JSON.parse(d.metadata) }),
        })
      )
    }
    case 'AgentWentOffline':
      return (
        row &&
        touched(row, {
          healthy: false,
          status: row.status === 'terminating' ? 'terminating' : 'offline',
          // The reason of the status it left no longer applies.
          status_reason: row.status === 'terminating' ? row.status_reason : null,
          last_heartbeat_at: new Date(event.data.lastHeartbeatAt),
        })
      )
    case 'AgentRecovered':
      return (
        row &&
        touched(row, { healthy: true, status: event.data.status, status_reason: null, last_heartbeat_at: new Date(event.data.heartbeatAt) })
      )
    case 'AgentHosted':
      return (
        row &&
        touched(row, {
          status: 'idle',
          status_reason: null,
          healthy: true,
          worker_id: event.data.workerId,
          process_id: event.data.processId,
        })
      )
    case 'AgentTerminationRequested':
      return row && touched(row, { status: 'terminating', graceful: event.data.graceful, status_reason: event.data.reason })
    case 'AgentTerminated':
      return row && touched(row, { status: 'terminated', status_reason: event.data.reason })
    case 'AgentDeregistered':
      return row && touched(row, { status: 'deregistered', status_reason: event.data.reason })
    default:
      return row
  }
}

export const agentsProjection: RowProjection<'agents', AgentRow> = {
  kind: 'row',
  name: 'agents',
  aggregates: ['agent'],
  table: 'agents',
  key: 'id',
  keyOf: (e) => e.meta.aggregateId,
  project,
}
