import type { Command } from 'commander'
import { createWriteSide } from '../commands/write-side.ts'
import type { Services } from '../infra/services.ts'
import { startQueueLoops } from '../queue/queue-loops.ts'
import { startHealthMonitor } from '../reactors/agent-health.ts'
import { startHitlExpiry } from '../reactors/hitl/hitl-expiry.ts'
import { untilSignal, withServices } from './context.ts'
import { startConfiguredMetricsSnapshots } from './system.cli.ts'

/**
 * Every timer-driven loop of one deployment in one process: the lease reaper, the retry timer, the
 * health monitor (and pool drainer), HITL expiry and metrics snapshots. Each is safe to run in
 * several processes at once (locks, or commands that are no-ops the second time).
 */
export async function startLoops(services: Services): Promise<{ stop: () => Promise<void> }> {
  const writeSide = await createWriteSide(services)
  const running = [
    startQueueLoops(services, writeSide.execute),
    startHealthMonitor(services, writeSide.execute),
    startHitlExpiry({ services, execute: writeSide.execute, intervalMs: services.config.hitl.expiryIntervalMs }),
    startConfiguredMetricsSnapshots(services),
  ]
  return {
    stop: async () => {
      await Promise.all(running.map((r) => r.stop()))
      await writeSide.close()
    },
  }
}

export function registerLoopsCommand(program: Command): void {
  program
    .command('loops')
    .description('Run every timer loop: lease reaper, retry timer, health monitor and pool drainer, HITL expiry, metrics snapshots')
    .action(async () => {
      await withServices('loops', async (services) => {
        const loops = await startLoops(services)
        await untilSignal()
        await loops.stop()
      })
    })
}
