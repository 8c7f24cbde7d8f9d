import type { PoolConfig } from './pool.state.ts'

export type CreatePool = Readonly<{ type: 'CreatePool'; commandId: string; config: PoolConfig }>
export type UpdatePoolConfig = Readonly<{ type: 'UpdatePoolConfig'; changes: Partial<PoolConfig> }>
/**
 * `activeTasks` comes from the tasks read model (the decider does no IO). Without `drain` a pool
 * with active tasks is refused; with it the pool drains and RetirePool deletes it later.
 */
export type DeletePool = Readonly<{ type: 'DeletePool'; drain: boolean; activeTasks: number }>
/** Ends a drain once no task is active; idempotent, safe to repeat from any number of loops. */
export type RetirePool = Readonly<{ type: 'RetirePool'; activeTasks: number }>
/** Appended by the autoscaler of the pool's worker group. */
export type RecordScaling = Readonly<{
  type: 'RecordScaling'
  fromWorkers: number
  toWorkers: number
  lag: number
  timeLagMs: number
  reason: string
}>

/** Appended by the pool's worker group: whether its processes can run the handler. Repeats change nothing. */
export type ReportPoolHealth = Readonly<{ type: 'ReportPoolHealth'; healthy: boolean; reason: string; failures: number }>

export type PoolCommand = CreatePool | UpdatePoolConfig | DeletePool | RetirePool | RecordScaling | ReportPoolHealth
