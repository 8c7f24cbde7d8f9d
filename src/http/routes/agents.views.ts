import type { AgentRecord } from '../../projections/agents/agents.queries.ts'
import type { HeartbeatStore } from '../../presence/heartbeat-store.ts'

/**
 * `lastHeartbeatAt` merges two sources: the read model holds the times carried by events
 * (registration, AgentWentOffline, AgentRecovered) and stays the fold of the log; heartbeats in
 * between are not events, so the fresher Redis last-seen time is laid over it in responses.
 */
export const toAgentView = (a: AgentRecord, lastSeen: number | undefined) => {
  const logged = a.last_heartbeat_at?.getTime()
  const latest = Math.max(logged ?? -Infinity, lastSeen ?? -Infinity)
  return {
    id: a.id,
    version: a.version,
    name: a.name,
    role: a.role,
    pool: a.pool,
    projectId: a.project_id,
    capabilities: a.capabilities,
    metadata: a.metadata,
    origin: a.origin as 'registered',
    status: a.status as 'idle',
    statusReason: a.status_reason,
    healthy: a.healthy,
    lastHeartbeatAt: Number.isFinite(latest) ? new Date(latest).toISOString() : null,
    workerId: a.worker_id,
    processId: a.process_id,
    graceful: a.graceful,
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
  }
}

export async function agentViews(heartbeats: HeartbeatStore, rows: readonly AgentRecord[]) {
  const seen = await heartbeats.lastSeen(rows.map((r) => r.id))
  return rows.map((r) => toAgentView(r, seen.get(r.id)))
}
