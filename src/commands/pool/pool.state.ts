/** Who runs a pool's tasks: its worker group, or remote agents that claim them over HTTP. */
export const PoolMode = ['workers', 'pull'] as const
export type PoolMode = (typeof PoolMode)[number]

/** A pool's configuration: what worker groups and the autoscaler read. */
export type PoolConfig = Readonly<{
  mode: PoolMode
  role: string
  handler: string
  handlerConfig: Readonly<Record<string, unknown>>
  maxAgentsPerProcess: number
  minWorkers: number
  maxWorkers: number
  lagThreshold: number
  scaleIntervalMs: number
  scaleDownStabilizationMs: number
}>

export const PoolStatus = ['active', 'draining', 'deleted'] as const
export type PoolStatus = (typeof PoolStatus)[number]

export type PoolState =
  | Readonly<{ exists: false }>
  | Readonly<{
      exists: true
      createdBy: string
      status: PoolStatus
      config: PoolConfig
      workers: number
      /** why the worker group cannot run the handler; null while it can */
      degraded: string | null
    }>

export type ExistingPool = Extract<PoolState, { exists: true }>

/** Task statuses that keep a pool from being deleted. */
export const activeTaskStatuses = ['claimed', 'running', 'awaiting_input'] as const
