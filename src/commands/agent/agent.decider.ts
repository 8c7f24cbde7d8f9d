import { DomainError } from '../../errors.ts'
import type { AgentEvent } from '../../events/generated/event-types.ts'
import { assertNever, type Decider } from '../decider.ts'
import type {
  AgentCommand,
  CompleteTermination,
  DeregisterAgent,
  HostAgent,
  MarkAgentOffline,
  RecordHeartbeat,
  RegisterAgent,
  RequestAgentTermination,
  SpawnAgent,
  UpdateAgentProfile,
  UpdateAgentStatus,
} from './agent.commands.ts'
import type { AgentState, AgentStatus, ExistingAgent } from './agent.state.ts'

const mustExist = (state: AgentState): ExistingAgent => {
  if (!state.exists) throw new DomainError('agent.not-found', 'the agent does not exist')
  return state
}

/** Exists and is neither deregistered nor terminated. */
const mustBeLive = (state: AgentState): ExistingAgent => {
  const agent = mustExist(state)
  if (agent.status === 'deregistered') throw new DomainError('agent.deregistered', 'the agent was deregistered')
  if (agent.status === 'terminated') throw new DomainError('agent.terminated', 'the agent was terminated')
  return agent
}

const mustBeSpawned = (agent: ExistingAgent): ExistingAgent => {
  if (agent.origin !== 'spawned')
    throw new DomainError('agent.not-spawned', 'the agent registered itself and is not hosted by a worker group')
  return agent
}

const transition = (message: string): never => {
  throw new DomainError('agent.invalid-transition', message)
}

const updateProfile = (c: UpdateAgentProfile, state: AgentState): AgentEvent[] => {
  mustBeLive(state)
  if (c.role === undefined && c.capabilities === undefined && c.metadata === undefined) return []
  return [
    {
      type: 'AgentProfileUpdated',
      data: {
        role: c.role ?? null,
        capabilities: c.capabilities === undefined ? null : [...c.capabilities],
        metadata: c.metadata === undefined ? null : JSON.stringify(c.metadata),
      },
    },
  ]
}

const register = (c: RegisterAgent, state: AgentState): AgentEvent[] => {
  if (state.exists) {
    if (state.createdBy === c.commandId) return []
    throw new DomainError('agent.already-registered', 'an agent with this id is already registered')
  }
  return [
    {
      type: 'AgentRegistered',
      data: {
        name: c.name,
        role: c.role,
        pool: c.pool,
        projectId: c.projectId,
        capabilities: [...c.capabilities],
        metadata: JSON.stringify(c.metadata),
      },
    },
  ]
}

const spawn = (c: SpawnAgent, state: AgentState): AgentEvent[] => {
  if (state.exists) {
    if (state.createdBy === c.commandId) return []
    throw new DomainError('agent.already-registered', 'an agent with this id already exists')
  }
  return [
    {
      type: 'AgentSpawned',
      data: { name: c.name, role: c.role, pool: c.pool, capabilities: [...c.capabilities], metadata: JSON.stringify(c.metadata) },
    },
  ]
}

const updateStatus = (c: UpdateAgentStatus, state: AgentState): AgentEvent[] => {
  const agent = mustBeLive(state)
  if (agent.status === 'pending') return transition('the agent is not hosted by a worker yet')
  if (agent.status === 'terminating') return transition('the agent is being terminated')
  if (agent.status === c.status && agent.statusReason === c.reason) return []
  return [{ type: 'AgentStatusChanged', data: { from: agent.status, to: c.status, reason: c.reason } }]
}

const markOffline = (c: MarkAgentOffline, state: AgentState): AgentEvent[] => {
  const agent = mustExist(state)
  // Finished agents are no longer watched; pending ones are not expected to heartbeat yet.
  if (!agent.healthy || agent.status === 'pending' || agent.status === 'terminated' || agent.status === 'deregistered') return []
  return [{ type: 'AgentWentOffline', data: { lastHeartbeatAt: c.lastHeartbeatAt, previousStatus: agent.status } }]
}

const recordHeartbeat = (c: RecordHeartbeat, state: AgentState): AgentEvent[] => {
  const agent = mustBeLive(state)
  if (agent.status === 'pending') return transition('the agent is not hosted by a worker yet')
  if (agent.healthy) return []
  return [{ type: 'AgentRecovered', data: { heartbeatAt: c.at, status: agent.status === 'terminating' ? 'terminating' : 'idle' } }]
}

const host = (c: HostAgent, state: AgentState): AgentEvent[] => {
  const agent = mustBeSpawned(mustBeLive(state))
  if (agent.status === 'terminating') return transition('the agent is being terminated')
  if (agent.hosted && agent.workerId === c.workerId && agent.processId === c.processId) return []
  // A different process re-hosts the agent after its previous one exited.
  return [{ type: 'AgentHosted', data: { workerId: c.workerId, processId: c.processId } }]
}

const requestTermination = (c: RequestAgentTermination, state: AgentState): AgentEvent[] => {
  const agent = mustExist(state)
  if (agent.status === 'terminated') return []
  if (agent.status === 'deregistered') throw new DomainError('agent.deregistered', 'the agent was deregistered')
  mustBeSpawned(agent)
  if (!agent.hosted) return [{ type: 'AgentTerminated', data: { reason: c.reason } }]
  if (agent.status === 'terminating') {
    // Only an escalation from graceful to immediate is news.
    return agent.graceful === true && !c.graceful
      ? [{ type: 'AgentTerminationRequested', data: { graceful: false, reason: c.reason } }]
      : []
  }
  return [{ type: 'AgentTerminationRequested', data: { graceful: c.graceful, reason: c.reason } }]
}

const completeTermination = (c: CompleteTermination, state: AgentState): AgentEvent[] => {
  const agent = mustExist(state)
  if (agent.status === 'terminated') return []
  if (agent.status === 'deregistered') throw new DomainError('agent.deregistered', 'the agent was deregistered')
  mustBeSpawned(agent)
  return [{ type: 'AgentTerminated', data: { reason: c.reason } }]
}

const deregister = (c: DeregisterAgent, state: AgentState): AgentEvent[] => {
  const agent = mustExist(state)
  if (agent.status === 'deregistered') return []
  if (agent.origin === 'spawned' && agent.status !== 'terminated') return transition('terminate the spawned agent before deregistering it')
  return [{ type: 'AgentDeregistered', data: { reason: c.reason } }]
}

const withStatus = (state: AgentState, status: AgentStatus, changes: Partial<ExistingAgent> = {}): AgentState =>
  state.exists ? { ...state, status, ...changes } : state

export const agentDecider: Decider<AgentState, AgentCommand, AgentEvent> = {
  initialState: () => ({ exists: false }),

  decide(command, state) {
    switch (command.type) {
      case 'UpdateAgentProfile':
        return updateProfile(command, state)
      case 'RegisterAgent':
        return register(command, state)
      case 'SpawnAgent':
        return spawn(command, state)
      case 'UpdateAgentStatus':
        return updateStatus(command, state)
      case 'MarkAgentOffline':
        return markOffline(command, state)
      case 'RecordHeartbeat':
        return recordHeartbeat(command, state)
      case 'HostAgent':
        return host(command, state)
      case 'RequestAgentTermination':
        return requestTermination(command, state)
      case 'CompleteTermination':
        return completeTermination(command, state)
      case 'DeregisterAgent':
        return deregister(command, state)
      default:
        return assertNever(command)
    }
  },

  evolve(state, event, meta) {
    const fresh = (origin: 'registered' | 'spawned', status: AgentStatus): AgentState => ({
      exists: true,
      createdBy: meta.commandId,
      origin,
      status,
      statusReason: null,
      healthy: true,
      hosted: false,
      workerId: null,
      processId: null,
      graceful: null,
    })
    switch (event.type) {
      case 'AgentRegistered':
        return fresh('registered', 'idle')
      case 'AgentSpawned':
        return fresh('spawned', 'pending')
      case 'AgentStatusChanged':
        return withStatus(state, event.data.to as AgentStatus, { statusReason: event.data.reason })
      case 'AgentWentOffline':
        return state.exists && state.status === 'terminating'
          ? withStatus(state, 'terminating', { healthy: false })
          : withStatus(state, 'offline', { healthy: false, statusReason: null })
      case 'AgentRecovered':
        return withStatus(state, event.data.status as AgentStatus, { healthy: true, statusReason: null })
      case 'AgentHosted':
        return withStatus(state, 'idle', {
          hosted: true,
          workerId: event.data.workerId,
          processId: event.data.processId,
          healthy: true,
          statusReason: null,
        })
      case 'AgentTerminationRequested':
        return withStatus(state, 'terminating', { graceful: event.data.graceful })
      case 'AgentTerminated':
        return withStatus(state, 'terminated', { hosted: false })
      case 'AgentDeregistered':
        return withStatus(state, 'deregistered')
      // The profile lives in the read model; the decider needs none of it.
      case 'AgentProfileUpdated':
        return state
      default:
        return assertNever(event)
    }
  },
}
