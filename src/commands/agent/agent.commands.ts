import type { ReportedStatus } from './agent.state.ts'

export type RegisterAgent = Readonly<{
  type: 'RegisterAgent'
  commandId: string
  name: string
  role: string
  pool: string | null
  projectId: string | null
  capabilities: readonly string[]
  metadata: Readonly<Record<string, unknown>>
}>

/** An agent a worker group will host; the pool's role was looked up by the caller. */
export type SpawnAgent = Readonly<{
  type: 'SpawnAgent'
  commandId: string
  name: string
  role: string
  pool: string
  capabilities: readonly string[]
  metadata: Readonly<Record<string, unknown>>
}>

export type UpdateAgentStatus = Readonly<{ type: 'UpdateAgentStatus'; status: ReportedStatus; reason: string | null }>
/** Issued by the health monitor when the last heartbeat is older than the timeout. */
export type MarkAgentOffline = Readonly<{ type: 'MarkAgentOffline'; lastHeartbeatAt: number }>
/** Issued on a heartbeat; recovers an agent the health monitor marked offline, otherwise a no-op. */
export type RecordHeartbeat = Readonly<{ type: 'RecordHeartbeat'; at: number }>
export type HostAgent = Readonly<{ type: 'HostAgent'; workerId: string; processId: string }>
export type RequestAgentTermination = Readonly<{ type: 'RequestAgentTermination'; graceful: boolean; reason: string | null }>
export type CompleteTermination = Readonly<{ type: 'CompleteTermination'; reason: string | null }>
export type DeregisterAgent = Readonly<{ type: 'DeregisterAgent'; reason: string | null }>
/** Fields left undefined keep their value. */
export type UpdateAgentProfile = Readonly<{
  type: 'UpdateAgentProfile'
  role?: string
  capabilities?: readonly string[]
  metadata?: Readonly<Record<string, unknown>>
}>

export type AgentCommand =
  | RegisterAgent
  | UpdateAgentProfile
  | SpawnAgent
  | UpdateAgentStatus
  | MarkAgentOffline
  | RecordHeartbeat
  | HostAgent
  | RequestAgentTermination
  | CompleteTermination
  | DeregisterAgent
