import { availableParallelism } from 'node:os'
import type { Command } from 'commander'
import { createWriteSide } from '../commands/write-side.ts'
import { AppError } from '../errors.ts'
import { startApi } from '../http/server.ts'
import { isClusterWorker, leaveCluster, superviseApiWorkers } from '../http/api-cluster.ts'
import { pollUntil } from '../infra/retry.ts'
import { connectServices } from '../infra/services.ts'
import { configuredGroups, startProjector } from '../projections/projector.ts'
import { configuredReactorGroups, reactors, startReactors } from '../reactors/catalog.ts'
import { startHitlExpiry } from '../reactors/hitl/hitl-expiry.ts'
import { prepareEnvironment } from '../setup.ts'
import { createConsoleReporter } from '../stack/reporter.ts'
import { stackUp } from '../stack/stack.ts'
import { configAndLogger, untilSignal, withServices } from './context.ts'
import { superviseRoles } from './role-supervisor.ts'

const portInUse = (error: unknown, port: number): never => {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
    throw new AppError('http.port-in-use', `port ${port} is in use; stop the other process or set AGENTFLEET_HTTP_PORT`)
  throw error
}

export function registerServeCommands(program: Command): void {
  program
    .command('api')
    .description('Serve the REST API (commands and queries)')
    .option('--workers <n>', 'API worker processes sharing the port (node:cluster; the primary only supervises)', '1')
    .action(async (opts: { workers: string }) => {
      const workers = Number(opts.workers)
      if (!Number.isInteger(workers) || workers < 1 || workers > 64)
        throw new AppError('cli.invalid-option', '--workers must be an integer from 1 to 64')
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

  program
    .command('projector')
    .description('Build the Postgres read models from the event topics: every configured projector group, or the ones named')
    .option('--group <names>', 'comma-separated projector groups of AGENTFLEET_PROJECTOR_GROUPS (default: all of them)')
    .action(async (opts: { group?: string }) => {
      await withServices('projector', async (services) => {
        const groups = configuredGroups(services.config)
        const selected = opts.group?.split(',').map(
          (n) =>
            groups.find((g) => g.consumer === n.trim()) ??
            (() => {
              throw new AppError(
                'projector.unknown-group',
                `unknown projector group ${n}; configured: ${groups.map((g) => g.consumer).join(', ')}`,
              )
            })(),
        )
        const projector = await startProjector(services, selected)
        await untilSignal()
        await projector.stop()
      })
    })

  program
    .command('reactors')
    .description(`Run the reactors that react to events with commands: ${reactors.map((r) => r.name).join(', ')}`)
    .option('--group <names>', 'comma-separated reactor groups of AGENTFLEET_REACTOR_GROUPS (default: all of them)')
    .action(async (opts: { group?: string }) => {
      await withServices('reactors', async (services) => {
        const groups = configuredReactorGroups(services.config)
        const selected = opts.group?.split(',').map(
          (n) =>
            groups.find((g) => g.name === n.trim()) ??
            (() => {
              throw new AppError(
                'reactors.unknown-group',
                `unknown reactor group ${n}; configured: ${groups.map((g) => g.name).join(', ')}`,
              )
            })(),
        )
        const writeSide = await createWriteSide(services)
        const running = await startReactors(
          { services, execute: writeSide.execute, readStream: writeSide.store.readStream, clock: Date.now },
          selected,
        )
        const expiry = startHitlExpiry({ services, execute: writeSide.execute, intervalMs: services.config.hitl.expiryIntervalMs })
        await untilSignal()
        await expiry.stop()
        await running.stop()
        await writeSide.close()
      })
    })

  program
    .command('dev')
    .description(
      'Everything on one machine: stack up, migrate, topics, schemas, then every role in its own process — api (cluster), projector, reactors, loops, and the worker groups of active pools',
    )
    .option('--api-workers <n>', 'API processes sharing the port (default: one per core, at most 4)')
    .action(async (opts: { apiWorkers?: string }) => {
      const { config, logger } = configAndLogger('dev')
      const apiWorkers = opts.apiWorkers === undefined ? Math.min(4, Math.max(1, availableParallelism())) : Number(opts.apiWorkers)
      if (!Number.isInteger(apiWorkers) || apiWorkers < 1 || apiWorkers > 64)
        throw new AppError('cli.invalid-option', '--api-workers must be an integer from 1 to 64')
      await stackUp(config, createConsoleReporter())
      const services = await connectServices(config, logger, 'agentfleet-dev', { resolveSchemas: false })
      try {
        await prepareEnvironment(services)
      } finally {
        await services.close()
      }
      const roles = superviseRoles({
        entry: process.argv[1]!,
        env: process.env,
        logger,
        stopTimeoutMs: config.workers.shutdownMs + 10_000,
        roles: [
          { name: 'api', args: ['api', '--workers', String(apiWorkers)] },
          { name: 'projector', args: ['projector'] },
          { name: 'reactors', args: ['reactors'] },
          { name: 'loops', args: ['loops'] },
          { name: 'workers', args: ['workers', '--all'] },
        ],
      })
      const url = `http://${config.http.host}:${config.http.port}`
      await untilHealthy(`${url}/health`)
      process.stdout.write(
        `\nAgentFleet is running: ${url}  (api ×${apiWorkers}, projector, reactors, loops, worker groups; Ctrl+C stops them; \`agentfleet stack down\` stops Kafka and the registry)\n`,
      )
      await untilSignal()
      await roles.stop()
    })
}

/** Waits until the API answers (its processes start in parallel). */
async function untilHealthy(url: string, timeoutMs = 60_000): Promise<void> {
  const healthy = async () => ((await fetch(url).catch(() => undefined))?.ok ? true : undefined)
  if (await pollUntil(healthy, { timeoutMs, minMs: 50, maxMs: 200 })) return
  throw new AppError('dev.api-not-up', `the API did not answer at ${url} within ${timeoutMs / 1000} s; see its log lines above`)
}
