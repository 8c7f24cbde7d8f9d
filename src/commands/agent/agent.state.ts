/** Statuses an agent reports about itself. */
export const ReportedStatus = ['idle', 'busy', 'offline', 'error'] as const
export type ReportedStatus = (typeof ReportedStatus)[number]

/** Every status of the read model: reported ones plus the lifecycle of hosted agents. */
export const AgentStatus = ['pending', ...ReportedStatus, 'terminating', 'terminated', 'deregistered'] as const
export type AgentStatus = (typeof AgentStatus)[number]

/** What the agent decider needs to know; the read model holds the rest. */
export type AgentState =
  | Readonly<{ exists: false }>
  | Readonly<{
      exists: true
      createdBy: string
      /** spawned agents are hosted by a worker group; registered ones run elsewhere */
      origin: 'registered' | 'spawned'
      status: AgentStatus
      statusReason: string | null
      /** false between AgentWentOffline and AgentRecovered */
      healthy: boolean
      hosted: boolean
      workerId: string | null
      processId: string | null
      graceful: boolean | null
    }>

export type ExistingAgent = Extract<AgentState, { exists: true }>

export const finishedStatuses: ReadonlySet<AgentStatus> = new Set(['terminated', 'deregistered'])
