import { describe, it } from 'vitest'
import type { RegisterAgent, SpawnAgent } from '../src/commands/agent/agent.commands.ts'
import { agentDecider } from '../src/commands/agent/agent.decider.ts'
import type { AgentEvent } from '../src/events/generated/event-types.ts'
import { specFor } from './support/decider-spec.ts'

const spec = specFor(agentDecider)

const register = (overrides: Partial<RegisterAgent> = {}): RegisterAgent => ({
  type: 'RegisterAgent',
  commandId: 'c1',
  name: 'scout',
  role: 'researcher',
  pool: null,
  projectId: 'prj',
  capabilities: ['web'],
  metadata: { zone: 'eu' },
  ...overrides,
})
const spawn = (overrides: Partial<SpawnAgent> = {}): SpawnAgent => ({
  type: 'SpawnAgent',
  commandId: 'c1',
  name: 'w-1',
  role: 'echo',
  pool: 'echoes',
  capabilities: [],
  metadata: {},
  ...overrides,
})

const registered: AgentEvent = {
  type: 'AgentRegistered',
  data: { name: 'scout', role: 'researcher', pool: null, projectId: 'prj', capabilities: ['web'], metadata: '{"zone":"eu"}' },
}
const spawned: AgentEvent = { type: 'AgentSpawned', data: { name: 'w-1', role: 'echo', pool: 'echoes', capabilities: [], metadata: '{}' } }
const hosted: AgentEvent = { type: 'AgentHosted', data: { workerId: 'w1', processId: '42' } }
const wentOffline = (previousStatus = 'idle'): AgentEvent => ({ type: 'AgentWentOffline', data: { lastHeartbeatAt: 1000, previousStatus } })
const statusChanged = (from: string, to: string, reason: string | null = null): AgentEvent => ({
  type: 'AgentStatusChanged',
  data: { from, to, reason },
})
const terminationRequested = (graceful: boolean): AgentEvent => ({ type: 'AgentTerminationRequested', data: { graceful, reason: null } })
const terminated: AgentEvent = { type: 'AgentTerminated', data: { reason: null } }
const deregistered: AgentEvent = { type: 'AgentDeregistered', data: { reason: null } }

describe('agent decider: registration and spawn', () => {
  it('registers with metadata as JSON text', () => {
    spec.given([]).when(register()).then([registered])
  })
  it('treats a repeated registration by the same command as a no-op and refuses another', () => {
    spec
      .given([[registered, { commandId: 'c1' }]])
      .when(register())
      .then([])
    spec
      .given([[registered, { commandId: 'c1' }]])
      .when(register({ commandId: 'c2' }))
      .thenThrows('agent.already-registered')
  })
  it('spawns a pending agent; a repeat is a no-op, another spawn on the id is refused', () => {
    spec.given([]).when(spawn()).then([spawned])
    spec
      .given([[spawned, { commandId: 'c1' }]])
      .when(spawn())
      .then([])
    spec
      .given([[spawned, { commandId: 'c1' }]])
      .when(spawn({ commandId: 'c9' }))
      .thenThrows('agent.already-registered')
  })
})

describe('agent decider: status', () => {
  it('changes status with a reason; the same status and reason again is a no-op', () => {
    spec
      .given([registered])
      .when({ type: 'UpdateAgentStatus', status: 'busy', reason: 'task t1' })
      .then([statusChanged('idle', 'busy', 'task t1')])
    spec
      .given([registered, statusChanged('idle', 'busy', 'task t1')])
      .when({ type: 'UpdateAgentStatus', status: 'busy', reason: 'task t1' })
      .then([])
  })
  it('works for hosted agents but not for pending or terminating ones', () => {
    spec
      .given([spawned, hosted])
      .when({ type: 'UpdateAgentStatus', status: 'error', reason: null })
      .then([statusChanged('idle', 'error')])
    spec.given([spawned]).when({ type: 'UpdateAgentStatus', status: 'busy', reason: null }).thenThrows('agent.invalid-transition')
    spec
      .given([spawned, hosted, terminationRequested(true)])
      .when({ type: 'UpdateAgentStatus', status: 'busy', reason: null })
      .thenThrows('agent.invalid-transition')
  })
  it('refuses unknown, deregistered and terminated agents', () => {
    spec.given([]).when({ type: 'UpdateAgentStatus', status: 'idle', reason: null }).thenThrows('agent.not-found')
    spec
      .given([registered, deregistered])
      .when({ type: 'UpdateAgentStatus', status: 'idle', reason: null })
      .thenThrows('agent.deregistered')
    spec.given([spawned, terminated]).when({ type: 'UpdateAgentStatus', status: 'idle', reason: null }).thenThrows('agent.terminated')
  })
})

describe('agent decider: health', () => {
  it('goes offline once: a second MarkAgentOffline is a no-op', () => {
    spec
      .given([registered, statusChanged('idle', 'busy')])
      .when({ type: 'MarkAgentOffline', lastHeartbeatAt: 1000 })
      .then([wentOffline('busy')])
    spec.given([registered, wentOffline()]).when({ type: 'MarkAgentOffline', lastHeartbeatAt: 1000 }).then([])
  })
  it('does not watch pending, terminated or deregistered agents and refuses unknown ones', () => {
    spec.given([spawned]).when({ type: 'MarkAgentOffline', lastHeartbeatAt: 1 }).then([])
    spec.given([spawned, terminated]).when({ type: 'MarkAgentOffline', lastHeartbeatAt: 1 }).then([])
    spec.given([registered, deregistered]).when({ type: 'MarkAgentOffline', lastHeartbeatAt: 1 }).then([])
    spec.given([]).when({ type: 'MarkAgentOffline', lastHeartbeatAt: 1 }).thenThrows('agent.not-found')
  })
  it('recovers on a heartbeat after going offline; heartbeats of a healthy agent are no-ops', () => {
    spec
      .given([registered, wentOffline()])
      .when({ type: 'RecordHeartbeat', at: 5000 })
      .then([{ type: 'AgentRecovered', data: { heartbeatAt: 5000, status: 'idle' } }])
    spec
      .given([registered, wentOffline(), { type: 'AgentRecovered', data: { heartbeatAt: 5000, status: 'idle' } }])
      .when({ type: 'RecordHeartbeat', at: 6000 })
      .then([])
    spec.given([registered]).when({ type: 'RecordHeartbeat', at: 1 }).then([])
  })
  it('keeps a terminating agent terminating when it recovers', () => {
    spec
      .given([spawned, hosted, terminationRequested(true), wentOffline('terminating')])
      .when({ type: 'RecordHeartbeat', at: 9 })
      .then([{ type: 'AgentRecovered', data: { heartbeatAt: 9, status: 'terminating' } }])
  })
  it('refuses heartbeats of unknown, deregistered, terminated and not yet hosted agents', () => {
    spec.given([]).when({ type: 'RecordHeartbeat', at: 1 }).thenThrows('agent.not-found')
    spec.given([registered, deregistered]).when({ type: 'RecordHeartbeat', at: 1 }).thenThrows('agent.deregistered')
    spec.given([spawned, terminated]).when({ type: 'RecordHeartbeat', at: 1 }).thenThrows('agent.terminated')
    spec.given([spawned]).when({ type: 'RecordHeartbeat', at: 1 }).thenThrows('agent.invalid-transition')
  })
})

describe('agent decider: hosting and termination', () => {
  it('hosts a spawned agent; the same process again is a no-op, another process re-hosts it', () => {
    spec.given([spawned]).when({ type: 'HostAgent', workerId: 'w1', processId: '42' }).then([hosted])
    spec.given([spawned, hosted]).when({ type: 'HostAgent', workerId: 'w1', processId: '42' }).then([])
    spec
      .given([spawned, hosted])
      .when({ type: 'HostAgent', workerId: 'w1', processId: '43' })
      .then([{ type: 'AgentHosted', data: { workerId: 'w1', processId: '43' } }])
  })
  it('refuses to host registered, terminating, terminated or unknown agents', () => {
    spec.given([registered]).when({ type: 'HostAgent', workerId: 'w', processId: 'p' }).thenThrows('agent.not-spawned')
    spec
      .given([spawned, hosted, terminationRequested(true)])
      .when({ type: 'HostAgent', workerId: 'w', processId: 'p' })
      .thenThrows('agent.invalid-transition')
    spec.given([spawned, terminated]).when({ type: 'HostAgent', workerId: 'w', processId: 'p' }).thenThrows('agent.terminated')
    spec.given([]).when({ type: 'HostAgent', workerId: 'w', processId: 'p' }).thenThrows('agent.not-found')
  })
  it('terminates an agent not hosted yet at once and asks a hosted one to stop', () => {
    spec
      .given([spawned])
      .when({ type: 'RequestAgentTermination', graceful: true, reason: 'scale in' })
      .then([{ type: 'AgentTerminated', data: { reason: 'scale in' } }])
    spec
      .given([spawned, hosted])
      .when({ type: 'RequestAgentTermination', graceful: true, reason: null })
      .then([terminationRequested(true)])
  })
  it('repeats are no-ops, but graceful can escalate to immediate', () => {
    spec
      .given([spawned, hosted, terminationRequested(true)])
      .when({ type: 'RequestAgentTermination', graceful: true, reason: null })
      .then([])
    spec
      .given([spawned, hosted, terminationRequested(false)])
      .when({ type: 'RequestAgentTermination', graceful: true, reason: null })
      .then([])
    spec
      .given([spawned, hosted, terminationRequested(true)])
      .when({ type: 'RequestAgentTermination', graceful: false, reason: null })
      .then([terminationRequested(false)])
    spec.given([spawned, terminated]).when({ type: 'RequestAgentTermination', graceful: true, reason: null }).then([])
  })
  it('refuses to terminate registered, deregistered or unknown agents', () => {
    spec.given([registered]).when({ type: 'RequestAgentTermination', graceful: true, reason: null }).thenThrows('agent.not-spawned')
    spec
      .given([registered, deregistered])
      .when({ type: 'RequestAgentTermination', graceful: true, reason: null })
      .thenThrows('agent.deregistered')
    spec.given([]).when({ type: 'RequestAgentTermination', graceful: true, reason: null }).thenThrows('agent.not-found')
  })
  it('completes a termination once', () => {
    spec
      .given([spawned, hosted, terminationRequested(true)])
      .when({ type: 'CompleteTermination', reason: null })
      .then([terminated])
    spec
      .given([spawned, hosted, terminationRequested(true), terminated])
      .when({ type: 'CompleteTermination', reason: null })
      .then([])
    spec.given([registered]).when({ type: 'CompleteTermination', reason: null }).thenThrows('agent.not-spawned')
    spec.given([registered, deregistered]).when({ type: 'CompleteTermination', reason: null }).thenThrows('agent.deregistered')
    spec.given([]).when({ type: 'CompleteTermination', reason: null }).thenThrows('agent.not-found')
  })
})

describe('agent decider: deregistration', () => {
  it('deregisters once', () => {
    spec
      .given([registered])
      .when({ type: 'DeregisterAgent', reason: 'retired' })
      .then([{ type: 'AgentDeregistered', data: { reason: 'retired' } }])
    spec.given([registered, deregistered]).when({ type: 'DeregisterAgent', reason: null }).then([])
    spec.given([spawned, terminated]).when({ type: 'DeregisterAgent', reason: null }).then([deregistered])
  })
  it('refuses unknown agents and spawned agents that still run', () => {
    spec.given([]).when({ type: 'DeregisterAgent', reason: null }).thenThrows('agent.not-found')
    spec.given([spawned, hosted]).when({ type: 'DeregisterAgent', reason: null }).thenThrows('agent.invalid-transition')
  })
})

describe('agent decider: profile', () => {
  it('records the changed fields only, refuses a missing or deregistered agent, and an empty update appends nothing', () => {
    spec
      .given([registered])
      .when({ type: 'UpdateAgentProfile', role: 'writer', capabilities: ['web', 'pdf'] })
      .then([{ type: 'AgentProfileUpdated', data: { role: 'writer', capabilities: ['web', 'pdf'], metadata: null } }])
    spec
      .given([registered])
      .when({ type: 'UpdateAgentProfile', metadata: { zone: 'us' } })
      .then([{ type: 'AgentProfileUpdated', data: { role: null, capabilities: null, metadata: '{"zone":"us"}' } }])
    spec.given([registered]).when({ type: 'UpdateAgentProfile' }).then([])
    spec.given([]).when({ type: 'UpdateAgentProfile', role: 'x' }).thenThrows('agent.not-found')
    spec.given([registered, deregistered]).when({ type: 'UpdateAgentProfile', role: 'x' }).thenThrows('agent.deregistered')
  })
})
