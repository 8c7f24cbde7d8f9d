import { agentDecider } from '../commands/agent/agent.decider.ts'
import type { CommandHandler } from '../commands/handle-command.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../infra/logger.ts'
import type { HeartbeatStore, LastSeen } from '../presence/heartbeat-store.ts'
import type { IntervalLock } from './interval-lock.ts'
import { startLoop, type Loop } from './loop.ts'

export type HealthMonitorDeps = Readonly<{
  execute: CommandHandler
  heartbeats: HeartbeatStore
  timeoutMs: number
  intervalMs: number
  clock: () => number
  logger: Logger
  lock: IntervalLock
  /** agents handled per check */
  batchSize?: number
}>

/**
 * Marks agents offline whose last heartbeat is older than the timeout (AgentWentOffline). The
 * command id is derived from the agent and its last-seen time, so a monitor that retries, or two
 * that overlap, issue the very same command; the decider turns repeats into no-ops.
 */
export function createHealthMonitor(deps: HealthMonitorDeps) {
  const log = deps.logger.child({ part: 'health-monitor' })

  const markOffline = async (seen: LastSeen): Promise<boolean> => {
    const ctx = {
      commandId: `health-monitor:${seen.agentId}:${seen.at}`,
      correlationId: `health-monitor:${seen.agentId}`,
      causationId: null,
      actor: 'health-monitor',
    }
    try {
      const result = await deps.execute('agent', seen.agentId, agentDecider, { type: 'MarkAgentOffline', lastHeartbeatAt: seen.at }, ctx)
      await deps.heartbeats.forget(seen)
      return result.events.length > 0
    } catch (error) {
      if (error instanceof AppError && !error.retriable) {
        await deps.heartbeats.forget(seen)
        return false
      }
      log.warn({ err: error, agentId: seen.agentId }, 'could not mark agent offline; will retry')
      return false
    }
  }

  /** One check; returns how many agents went offline. */
  const check = async (): Promise<number> => {
    if (!(await deps.lock('health-monitor', deps.intervalMs))) return 0
    const stale = await deps.heartbeats.stale(deps.clock() - deps.timeoutMs, deps.batchSize ?? 500)
    let offline = 0
    for (const seen of stale) if (await markOffline(seen)) offline++
    if (offline > 0) log.info({ offline }, 'agents went offline')
    return offline
  }

  return { check, start: (): Loop => startLoop({ name: 'health-monitor', intervalMs: deps.intervalMs, run: check, logger: log }) }
}
