import cluster from 'node:cluster'
import type { Command } from 'commander'
import { ValidationError } from '../errors.ts'
import { poolSettingsSchema, readPoolsFile, resolvePoolSettings, type PoolSettings } from '../workers/pool-settings.ts'
import { startSupervisor } from '../workers/supervisor.ts'
import { runWorkerProcess, type PrimaryMessage, type WorkerMessage } from '../workers/worker-process.ts'
import { createWriteSide } from '../commands/write-side.ts'
import type { CommandHandler } from '../commands/handle-command.ts'
import type { Db } from '../infra/postgres.ts'
import type { Services } from '../infra/services.ts'
import { activePoolNames, poolFromReadModel } from '../workers/pool-source.ts'
import { untilSignal, withServices } from './context.ts'

type Flags = {
  pool?: string; all?: boolean; maxAgents?: string; minWorkers?: string; maxWorkers?: string; lagThreshold?: string
  scaleIntervalMs?: string; scaleDownStabilizationMs?: string; handler?: string; handlerConfig?: string; config?: string
  child?: string; workerId?: string
}

/** The settings of the pools to run, from the pools read model, the settings file and the flags. */
async function poolsFrom(db: Db, flags: Flags, configFile: string | undefined): Promise<PoolSettings[]> {
  const file = flags.config ?? configFile
  const fromFile = file ? readPoolsFile(file) : []
  const overrides = {
    maxAgentsPerProcess: flags.maxAgents, minWorkers: flags.minWorkers, maxWorkers: flags.maxWorkers, lagThreshold: flags.lagThreshold,
    scaleIntervalMs: flags.scaleIntervalMs, scaleDownStabilizationMs: flags.scaleDownStabilizationMs, handler: flags.handler, handlerConfig: flags.handlerConfig,
  }
  const resolve = async (name: string) => resolvePoolSettings(name, overrides, fromFile, await poolFromReadModel(db, name))
  if (flags.all) {
    const names = [...new Set([...(await activePoolNames(db)), ...fromFile.map((p) => p.pool)])]
    if (names.length === 0) throw new ValidationError('--all found no pools (create pools, or list them in --config / AGENTFLEET_WORKERS_CONFIG)')
    return Promise.all(names.map(resolve))
  }
  if (!flags.pool) throw new ValidationError('give --pool NAME or --all')
  return [await resolve(flags.pool)]
}

/** A forked worker: run until the primary asks for a drain, a signal arrives or the primary is gone. */
async function runChild(settingsJson: string, workerId: string): Promise<void> {
  const settings = poolSettingsSchema.parse(JSON.parse(settingsJson))
  await withServices(`worker-${settings.pool}`, async (services) => {
    const worker = await runWorkerProcess(services, settings, workerId, process.env)
    void worker.firstConsumed.then(() => process.send?.({ type: 'consuming', at: Date.now() } satisfies WorkerMessage))
    const stats = setInterval(() => process.send?.({ type: 'stats', inFlight: worker.inFlight() } satisfies WorkerMessage), 1_000)
    await new Promise<void>((resolve) => {
      process.on('message', (m: PrimaryMessage) => { if (m.type === 'drain') resolve() })
      process.once('disconnect', () => resolve())
      void untilSignal().then(() => resolve())
    })
    clearInterval(stats)
    await worker.drain()
  })
  process.exit(0)
}

const childArgs = (settings: PoolSettings, workerId: string) => ['workers', '--child', JSON.stringify(settings), '--worker-id', workerId]

/** Worker groups for `agentfleet dev`: every active pool (and those of the settings file), if any. */
export async function startDevWorkers(services: Services, execute: CommandHandler): Promise<{ stop: () => Promise<void> }> {
  const pools = await poolsFrom(services.db, { all: true }, services.config.workers.configFile).catch(() => [])
  if (pools.length === 0) return { stop: async () => undefined }
  const supervisor = startSupervisor(services, pools, { execute, childArgs })
  await supervisor.start()
  return { stop: () => supervisor.stop() }
}

export function registerWorkersCommands(program: Command): void {
  program.command('workers').description('Run a pool\'s worker group: a cluster primary that autoscales worker processes consuming the dispatch lanes')
    .option('--pool <name>', 'the pool to run')
    .option('--all', 'every pool of the settings file')
    .option('--config <file>', 'pool settings file ({"pools": {"name": {...}}}); default AGENTFLEET_WORKERS_CONFIG')
    .option('--max-agents <n>', 'concurrent tasks per worker process (maxAgentsPerProcess, default 10)')
    .option('--min-workers <n>', 'fewest worker processes (default 1)')
    .option('--max-workers <n>', 'most worker processes (default 4)')
    .option('--lag-threshold <n>', 'waiting records per worker process (default 100)')
    .option('--scale-interval-ms <ms>', 'lag poll interval (default 5000)')
    .option('--scale-down-stabilization-ms <ms>', 'quiet time before removing a worker (default 60000)')
    .option('--handler <name>', 'echo | http | command | llm | path to a module (default echo)')
    .option('--handler-config <json>', 'the handler\'s configuration as JSON')
    .option('--child <settings>', 'internal: run one worker with these settings')
    .option('--worker-id <id>', 'internal: the worker\'s id')
    .action(async (flags: Flags) => {
      if (cluster.isWorker && flags.child) return runChild(flags.child, flags.workerId ?? String(process.pid))
      await withServices('workers', async (services) => {
        const pools = await poolsFrom(services.db, flags, services.config.workers.configFile)
        const writeSide = await createWriteSide(services)
        const supervisor = startSupervisor(services, pools, {
          execute: writeSide.execute,
          childArgs,
        })
        await supervisor.start()
        services.logger.info({ pools: pools.map((p) => p.pool) }, 'worker groups running')
        await untilSignal()
        await supervisor.stop()
        await writeSide.close()
      })
    })
}
