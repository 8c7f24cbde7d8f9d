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

/** The settings of the pools to run, from the pools read model, the settings file and the flags. */
async function poolsFrom(db: Db, flags: Flags, configFile: string | undefined): Promise<PoolSettings[]> {
  const file = flags.config ?? configFile
  const fromFile = file ? readPoolsFile(file) : []
  const overrides = {
    maxAgentsPerProcess: flags.maxAgents,
    minWorkers: flags.minWorkers,
    maxWorkers: flags.maxWorkers,
    lagThreshold: flags.lagThreshold,
    scaleIntervalMs: flags.scaleIntervalMs,
    scaleDownStabilizationMs: flags.scaleDownStabilizationMs,
    handler: flags.handler,
    handlerConfig: flags.handlerConfig,
  }
  if (!flags.pool) throw new ValidationError('give --pool NAME or --all')
  return [resolvePoolSettings(flags.pool, overrides, fromFile, await poolFromReadModel(db, flags.pool))]
}

/** A forked worker: run until the primary asks for a drain, a signal arrives or the primary is gone. */
async function runChild(settingsJson: string, workerId: string): Promise<void> {
  const settings = poolSettingsSchema.parse(JSON.parse(settingsJson))
  await withServices(`worker-${settings.pool}`, async (services) => {
    const worker = await runWorkerProcess(services, settings, workerId, process.env)
    void worker.firstConsumed.then(() => process.send?.({ type: 'consuming', at: Date.now() } satisfies WorkerMessage))
    await new Promise<void>((resolve) => {
      process.on('message', (m: PrimaryMessage) => {
        if (m.type === 'drain') resolve()
      })
      process.once('disconnect', () => resolve())
      void untilSignal().then(() => resolve())
    })
    await worker.drain()
  })
  process.exit(0)
}

const childArgs = (settings: PoolSettings, workerId: string) => ['workers', '--child', JSON.stringify(settings), '--worker-id', workerId]

/** How often `workers --all` and `dev` look for pools created since they started. */
const poolWatchMs = 2_000

/**
 * A worker group for every active pool (and those of the settings file), including pools
 * created later: the pools read model is checked every few seconds.
 */
function runEveryPool(services: Services, execute: CommandHandler, flags: Flags): { stop: () => Promise<void> } {
  const groups = new Map<string, { stop: () => Promise<void> }>()
  const log = services.logger.child({ part: 'pool-watch' })
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const look = async () => {
    const file = flags.config ?? services.config.workers.configFile
    const names = new Set([...(await activePoolNames(services.db)), ...(file ? readPoolsFile(file).map((p) => p.pool) : [])])
    for (const name of names) {
      if (stopped || groups.has(name)) continue
      const [settings] = await poolsFrom(services.db, { ...flags, all: false, pool: name }, services.config.workers.configFile)
      const supervisor = startSupervisor(services, [settings!], { execute, childArgs })
      groups.set(name, supervisor)
      await supervisor.start()
      log.info({ pool: name }, 'worker group running')
    }
  }
  const loop = () => {
    timer = setTimeout(() => {
      look()
        .catch((error: unknown) => log.warn({ err: error }, 'could not look for new pools'))
        .finally(() => {
          if (!stopped) loop()
        })
    }, poolWatchMs)
  }
  look()
    .catch((error: unknown) => log.warn({ err: error }, 'could not look for pools'))
    .finally(loop)
  return {
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await Promise.all([...groups.values()].map((g) => g.stop()))
    },
  }
}

async function startOnePool(services: Services, execute: CommandHandler, flags: Flags): Promise<{ stop: () => Promise<void> }> {
  const pools = await poolsFrom(services.db, flags, services.config.workers.configFile)
  const supervisor = startSupervisor(services, pools, { execute, childArgs })
  await supervisor.start()
  services.logger.info({ pools: pools.map((p) => p.pool) }, 'worker group running')
  return supervisor
}

/** Worker groups for `agentfleet dev`: every active pool, and every pool created while it runs. */
export async function startDevWorkers(services: Services, execute: CommandHandler): Promise<{ stop: () => Promise<void> }> {
  return runEveryPool(services, execute, { all: true })
}

export function registerWorkersCommands(program: Command): void {
  program
    .command('workers')
    .description("Run a pool's worker group: a cluster primary that autoscales worker processes consuming the dispatch lanes")
    .option('--pool <name>', 'the pool to run')
    .option('--all', 'every active pool (and those of the settings file), including pools created later')
    .option('--config <file>', 'pool settings file ({"pools": {"name": {...}}}); default AGENTFLEET_WORKERS_CONFIG')
    .option('--max-agents <n>', 'concurrent tasks per worker process (maxAgentsPerProcess, default 10)')
    .option('--min-workers <n>', 'fewest worker processes (default 1)')
    .option('--max-workers <n>', 'most worker processes (default 4)')
    .option('--lag-threshold <n>', 'waiting records per worker process (default 100)')
    .option('--scale-interval-ms <ms>', 'lag poll interval (default 5000)')
    .option('--scale-down-stabilization-ms <ms>', 'quiet time before removing a worker (default 60000)')
    .option('--handler <name>', 'echo | http | command | llm | path to a module (default echo)')
    .option('--handler-config <json>', "the handler's configuration as JSON")
    .option('--child <settings>', 'internal: run one worker with these settings')
    .option('--worker-id <id>', "internal: the worker's id")
    .action(async (flags: Flags) => {
      if (cluster.isWorker && flags.child) return runChild(flags.child, flags.workerId ?? String(process.pid))
      await withServices('workers', async (services) => {
        const writeSide = await createWriteSide(services)
        // --all also picks up pools created while it runs.
        const supervisor = flags.all
          ? runEveryPool(services, writeSide.execute, flags)
          : await startOnePool(services, writeSide.execute, flags)
        await untilSignal()
        await supervisor.stop()
        await writeSide.close()
      })
    })
}
