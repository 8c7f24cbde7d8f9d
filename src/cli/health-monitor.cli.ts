import type { Command } from 'commander'
import { createWriteSide } from '../commands/write-side.ts'
import { startHealthMonitor } from '../reactors/agent-health.ts'
import { untilSignal, withServices } from './context.ts'

export function registerHealthMonitorCommand(program: Command): void {
  program
    .command('health-monitor')
    .description('Mark agents offline whose heartbeat is older than AGENTFLEET_HEARTBEAT_TIMEOUT_MS, and delete drained pools')
    .action(async () => {
      await withServices('health-monitor', async (services) => {
        const writeSide = await createWriteSide(services)
        const monitor = startHealthMonitor(services, writeSide.execute)
        await untilSignal()
        await monitor.stop()
        await writeSide.close()
      })
    })
}
