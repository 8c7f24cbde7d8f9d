import type { Command } from 'commander'
import { createWriteSide } from '../commands/write-side.ts'
import { AppError } from '../errors.ts'
import { startHealthMonitor } from '../reactors/agent-health.ts'
import { startApi } from '../http/server.ts'
import { isClusterWorker, leaveCluster, superviseApiWorkers } from '../http/api-cluster.ts'
import { connectServices } from '../infra/services.ts'
import { configuredGroups, startProjector } from '../projections/projector.ts'
import { configuredReactorGroups, reactors, startReactors } from '../reactors/catalog.ts'
import { startHitlExpiry } from '../reactors/hitl/hitl-expiry.ts'
import { prepareEnvironment } from '../setup.ts'
import { startQueueLoops } from '../queue/queue-loops.ts'
import { createConsoleReporter } from '../stack/reporter.ts'
import { stackUp } from '../stack/stack.ts'
import { configAndLogger, untilSignal, withServices } from './context.ts'
import { startConfiguredMetricsSnapshots } from './system.cli.ts'
import { startDevWorkers } from './workers.cli.ts'

const portInUse = (error: unknown, port: number): never => {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new AppError('http.port-in-use', `port ${port} is in use; stop the other process or set AGENTFLEET_HTTP_PORT`)
  throw error
}

export function registerServeCommands(program: Command): void {
  program.command('api').description('Serve the REST API (commands and queries)')
    .option('--workers <n>', 'API worker processes sharing the port (node:cluster; the primary only supervises)', '1')
    .action(async (opts: { workers: string }) => {
    const workers = Number(opts.workers)
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new AppError('cli.invalid-option', '--workers must be an integer from 1 to 64')
    if (workers > 1 && !isClusterWorker()) {
      const { logger } = configAndLogger('api-primary')
      return superviseApiWorkers({ workers, logger, untilSignal })
    }
    await withServices('api', async (services) => {
      const api = await startApi(services).catch((e) => portInUse(e, services.config.http.port))
      await untilSignal()
      await api.stop()
    })
    leaveCluster()
  })

  program.command('projector').description('Build the Postgres read models from the event topics: every configured projector group, or the ones named')
    .option('--group <names>', 'comma-separated projector groups of AGENTFLEET_PROJECTOR_GROUPS (default: all of them)')
    .action(async (opts: { group?: string }) => {
      await withServices('projector', async (services) => {
        const groups = configuredGroups(services.config)
        const selected = opts.group?.split(',').map((n) => groups.find((g) => g.consumer === n.trim()) ?? (() => { throw new AppError('projector.unknown-group', `unknown projector group ${n}; configured: ${groups.map((g) => g.consumer).join(', ')}`) })())
        const projector = await startProjector(services, selected)
        await untilSignal()
        await projector.stop()
      })
    })

  program.command('reactors').alias('process-managers').description(`Run the reactors (process managers) that react to events with commands: ${reactors.map((r) => r.name).join(', ')}`)
    .option('--group <names>', 'comma-separated reactor groups of AGENTFLEET_REACTOR_GROUPS (default: all of them)')
    .action(async (opts: { group?: string }) => {
      await withServices('reactors', async (services) => {
        const groups = configuredReactorGroups(services.config)
        const selected = opts.group?.split(',').map((n) => groups.find((g) => g.name === n.trim()) ?? (() => { throw new AppError('reactors.unknown-group', `unknown reactor group ${n}; configured: ${groups.map((g) => g.name).join(', ')}`) })())
        const writeSide = await createWriteSide(services)
        const running = await startReactors({ services, execute: writeSide.execute, clock: Date.now }, selected)
        const expiry = startHitlExpiry({ services, execute: writeSide.execute, intervalMs: services.config.hitl.expiryIntervalMs })
        await untilSignal()
        await expiry.stop()
        await running.stop()
        await writeSide.close()
      })
    })

  program.command('dev').description('Everything on one machine: stack up, migrate, topics, schemas, then api, projector, process managers, reaper, health monitor and the worker groups of active pools').action(async () => {
    const { config, logger } = configAndLogger('dev')
    await stackUp(config, createConsoleReporter())
    const services = await connectServices(config, logger, 'agentfleet-dev', { resolveSchemas: false })
    try {
      await prepareEnvironment(services)
      const projector = await startProjector(services)
      const writeSide = await createWriteSide(services)
      const processManagers = await startReactors({ services, execute: writeSide.execute, clock: Date.now })
      const queueLoops = startQueueLoops(services, writeSide.execute)
      const hitlExpiry = startHitlExpiry({ services, execute: writeSide.execute, intervalMs: config.hitl.expiryIntervalMs })
      const api = await startApi(services).catch((e) => portInUse(e, config.http.port))
      const monitor = startHealthMonitor(services, writeSide.execute)
      const snapshots = startConfiguredMetricsSnapshots(services)
      const workers = await startDevWorkers(services, writeSide.execute)
      process.stdout.write(`\nAgentFleet is running: http://${config.http.host}:${api.port}  (Ctrl+C stops api and projector; \`agentfleet stack down\` stops Kafka and the registry)\n`)
      await untilSignal()
      await workers.stop()
      await monitor.stop()
      await snapshots.stop()
      await api.stop()
      await queueLoops.stop()
      await hitlExpiry.stop()
      await processManagers.stop()
      await writeSide.close()
      await projector.stop()
    } finally {
      await services.close()
    }
  })
}
