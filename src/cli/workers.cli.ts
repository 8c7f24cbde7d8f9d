import cluster from 'node:cluster'
import type { Command } from 'commander'
import { ValidationError } from '../errors.ts'
import { defaultHandler, poolNumberRules, type PoolNumbers } from '../commands/pool/pool-limits.ts'
import { poolSettingsSchema, readPoolsFile, type PoolSettings } from '../workers/pool-settings.ts'
import { startPoolWatch } from '../workers/pool-watch.ts'
import { startSupervisor } from '../workers/supervisor.ts'
import { runWorkerProcess, type PrimaryMessage, type WorkerMessage } from '../workers/worker-process.ts'
import { createWriteSide } from '../commands/write-side.ts'
import type { CommandHandler } from '../commands/handle-command.ts'
import type { Services } from '../infra/services.ts'
import { untilSignal, withServices } from './context.ts'

type Flags = {
  pool?: string
  all?: boolean
  maxAgents?: string
  minWorkers?: string
  maxWorkers?: string
  lagThreshold?: string
  scaleIntervalMs?: string
  scaleDownStabilizationMs?: string
  handler?: string
  handlerConfig?: string
  config?: string
  child?: string
  workerId?: string
}

/** CLI flags that override every watched pool's settings. */
const overridesOf = (flags: Flags) => ({
  maxAgentsPerProcess: flags.maxAgents,
  minWorkers: flags.minWorkers,
  maxWorkers: flags.maxWorkers,
  lagThreshold: flags.lagThreshold,
  scaleIntervalMs: flags.scaleIntervalMs,
  scaleDownStabilizationMs: flags.scaleDownStabilizationMs,
  handler: flags.handler,
  handlerConfig: flags.handlerConfig,
})

/** A forked worker: run until the primary asks for a drain, a signal arrives or the primary is gone. */
async function runChild(settingsJson: string, workerId: string): Promise<void> {
  const settings = poolSettingsSchema.parse(JSON.parse(settingsJson))
  await withServices(`worker-${settings.pool}`, async (services) => {
    const worker = await runWorkerProcess(services, settings, workerId, process.env)
    // Started and in the consumer group: the primary counts it as a good start (crash backoff, pool health).
    process.send?.({ type: 'consuming', at: Date.now() } satisfies WorkerMessage)
    let replace = false
    await new Promise<void>((resolve) => {
      process.on('message', (m: PrimaryMessage) => {
        if (m.type === 'drain') resolve()
      })
      process.once('disconnect', () => resolve())
      void untilSignal().then(() => resolve())
      void worker.consumerGaveUp.then(() => {
        replace = true
        resolve()
      })
    })
    await worker.drain()
    // Exit as a crash, so the primary starts a replacement.
    process.exit(replace ? 1 : 0)
  })
  process.exit(0)
}

const childArgs = (settings: PoolSettings, workerId: string) => ['workers', '--child', JSON.stringify(settings), '--worker-id', workerId]

/** How often a worker-group host reads the pools read model for created, changed and deleted pools. */
const poolWatchMs = 2_000

/**
 * The worker groups of one pool (`--pool`) or of every pool (`--all`, `dev`), following the pools
 * as they are created, reconfigured, drained and deleted (see pool-watch.ts).
 */
function watchPools(services: Services, execute: CommandHandler, flags: Flags) {
  if (!flags.pool && !flags.all) throw new ValidationError('give --pool NAME or --all')
  const file = flags.config ?? services.config.workers.configFile
  const fromFile = file ? readPoolsFile(file) : []
  return startPoolWatch({
    db: services.db,
    supervisor: startSupervisor(services, [], { execute, childArgs }),
    only: flags.all ? undefined : flags.pool,
    file: () => fromFile,
    overrides: overridesOf(flags),
    intervalMs: poolWatchMs,
    logger: services.logger,
  })
}

const flagHelp = (key: keyof PoolNumbers) => {
  const rule = poolNumberRules[key]
  return `${rule.means} (${key}; ${rule.min}–${rule.max}, default ${rule.default}); overrides the pool's setting`
}

export function registerWorkersCommands(program: Command): void {
  program
    .command('workers')
    .description("Run a pool's worker group: a cluster primary that autoscales worker processes consuming the dispatch lanes")
    .option('--pool <name>', 'the pool to run')
    .option('--all', 'every active pool (and those of the settings file), including pools created later')
    .option('--config <file>', 'pool settings file ({"pools": {"name": {...}}}); default AGENTFLEET_WORKERS_CONFIG')
    .option('--max-agents <n>', flagHelp('maxAgentsPerProcess'))
    .option('--min-workers <n>', flagHelp('minWorkers'))
    .option('--max-workers <n>', flagHelp('maxWorkers'))
    .option('--lag-threshold <n>', flagHelp('lagThreshold'))
    .option('--scale-interval-ms <ms>', flagHelp('scaleIntervalMs'))
    .option('--scale-down-stabilization-ms <ms>', flagHelp('scaleDownStabilizationMs'))
    .option('--handler <name>', `echo | http | command | llm | path to a module (default ${defaultHandler})`)
    .option('--handler-config <json>', "the handler's configuration as JSON")
    .option('--child <settings>', 'internal: run one worker with these settings')
    .option('--worker-id <id>', "internal: the worker's id")
    .action(async (flags: Flags) => {
      if (cluster.isWorker && flags.child) return runChild(flags.child, flags.workerId ?? String(process.pid))
      await withServices('workers', async (services) => {
        const writeSide = await createWriteSide(services)
        const watch = watchPools(services, writeSide.execute, flags)
        await untilSignal()
        await watch.stop()
        await writeSide.close()
      })
    })
}
