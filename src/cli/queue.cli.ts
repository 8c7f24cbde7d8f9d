import type { Command } from 'commander'
import { createWriteSide } from '../commands/write-side.ts'
import { startQueueLoops, type QueueLoop } from '../queue/queue-loops.ts'
import { untilSignal, withServices } from './context.ts'

const role = (loop: QueueLoop) => async () => {
  await withServices(loop, async (services) => {
    const writeSide = await createWriteSide(services)
    const loops = startQueueLoops(services, writeSide.execute, [loop])
    await untilSignal()
    await loops.stop()
    await writeSide.close()
  })
}

/** Process roles of the queue: safe to run several of each. */
export function registerQueueCommands(program: Command): void {
  program
    .command('reaper')
    .description('Turn expired task run leases into retries or dead letters (AGENTFLEET_REAPER_INTERVAL_MS)')
    .action(role('reaper'))
  program.command('retry-timer').description('Queue scheduled retries when they fall due').action(role('retry-timer'))
}
