import type { Command } from 'commander'
import type { Services } from '../infra/services.ts'
import { configuredPlacements } from '../projections/projector.ts'
import { startMetricsSnapshots } from '../projections/system/metrics-snapshots.ts'
import { untilSignal, withServices } from './context.ts'

/** The snapshot loop with the configured interval and retention. */
export const startConfiguredMetricsSnapshots = (services: Services) =>
  startMetricsSnapshots({
    db: services.db,
    logger: services.logger,
    clock: Date.now,
    placements: configuredPlacements(services.config),
    intervalMs: services.config.metrics.snapshotIntervalMs,
    retentionDays: services.config.metrics.retentionDays,
  })

export function registerSystemCommands(program: Command): void {
  program
    .command('metrics-snapshots')
    .description(
      'Write a system metrics snapshot every AGENTFLEET_METRICS_SNAPSHOT_INTERVAL_MS; prune after AGENTFLEET_METRICS_RETENTION_DAYS',
    )
    .action(async () => {
      await withServices(
        'metrics-snapshots',
        async (services) => {
          const loop = startConfiguredMetricsSnapshots(services)
          await untilSignal()
          await loop.stop()
        },
        { resolveSchemas: false },
      )
    })
}
