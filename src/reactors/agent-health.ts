import { hostname } from 'node:os'
import type { CommandHandler } from '../commands/handle-command.ts'
import type { Services } from '../infra/services.ts'
import { createHealthMonitor } from './health-monitor.ts'
import { createHeartbeatStore } from '../presence/heartbeat-store.ts'
import { createIntervalLock } from './interval-lock.ts'
import type { Loop } from './loop.ts'
import { createPoolDrainer } from './pool-drainer.ts'

/** The health-monitor process role: silent agents go offline, drained pools are deleted. */
export function startHealthMonitor(services: Services, execute: CommandHandler): Loop {
  const { config, redis, logger, db } = services
  const heartbeats = createHeartbeatStore({ redis, prefix: config.redis.prefix, timeoutMs: config.agents.heartbeatTimeoutMs })
  const lock = createIntervalLock({ redis, prefix: config.redis.prefix, owner: `${hostname()}:${process.pid}` })
  const loops = [
    createHealthMonitor({
      execute,
      heartbeats,
      timeoutMs: config.agents.heartbeatTimeoutMs,
      intervalMs: config.agents.healthCheckIntervalMs,
      clock: Date.now,
      logger,
      lock,
    }).start(),
    createPoolDrainer({ execute, db, lock, intervalMs: config.pools.drainIntervalMs, logger }).start(),
  ]
  logger.info(
    { heartbeatTimeoutMs: config.agents.heartbeatTimeoutMs, intervalMs: config.agents.healthCheckIntervalMs },
    'health monitor running',
  )
  return {
    stop: async () => {
      await Promise.all(loops.map((l) => l.stop()))
    },
  }
}
