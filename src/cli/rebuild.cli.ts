import type { Command } from 'commander'
import { AppError } from '../errors.ts'
import { createProgress } from '../ops/progress.ts'
import { projectionByName, projections } from '../projections/catalog.ts'
import { groupOf } from '../projections/groups.ts'
import { configuredGroups } from '../projections/projector.ts'
import { ownedTables, type Projection } from '../projections/projection.ts'
import { rebuildProjection, type RebuildReport } from '../projections/rebuild/rebuild.ts'
import { resetGroup } from '../projections/reset-group.ts'
import { withServices } from './context.ts'
import { print } from './ops-options.ts'

type RebuildFlags = { all?: boolean; dryRun?: boolean; keepOld?: boolean }

const help = `
Blue/green: folds the projection's topics from offset 0 into a fresh shadow schema while the
live read model keeps serving and the projector keeps running, then swaps the tables in one
transaction; the live projector continues from the swapped position (no event lost or repeated).

Examples:
  $ agentfleet rebuild tasks
  $ agentfleet rebuild --all
  $ agentfleet rebuild tasks --dry-run     # what would change: row counts and differing rows
  $ agentfleet rebuild snapshots --keep-old`

export function reportLines(r: RebuildReport): string[] {
  const lines = [
    `rebuilt ${r.projection}: ${r.initialEvents} events in ${(r.initialMs / 1000).toFixed(2)} s (${r.eventsPerSecond} events/s), ${r.appliedEvents} applied in all; live projector held ${r.lockedMs} ms`,
  ]
  if (r.swapped)
    lines.push(
      `swapped ${r.projection} into the live schema${r.oldSchema ? `; old tables kept in schema ${r.oldSchema}` : '; old tables dropped'}`,
    )
  for (const d of r.diff ?? []) {
    lines.push(`${d.table}: live ${d.liveRows} rows, rebuilt ${d.rebuiltRows} rows, ${d.differing} differing`)
    for (const s of d.sample)
      lines.push(`  ${JSON.stringify(s.key)}\n    live:    ${JSON.stringify(s.live)}\n    rebuilt: ${JSON.stringify(s.rebuilt)}`)
  }
  if (r.diff && r.liveBehind > 0)
    lines.push(`note: the live projector was behind on ${r.liveBehind} partition(s); some differences may be lag`)
  if (r.diff) lines.push('dry run: nothing swapped, shadow dropped')
  return lines
}

export function registerRebuildCommand(program: Command): void {
  program
    .command('rebuild')
    .argument('[projection]', `one of: ${projections.map((p) => p.name).join(', ')}`)
    .description('Rebuild a read model from the log into a shadow schema and swap it in atomically')
    .option('--all', 'rebuild every projection, one after the other')
    .option('--dry-run', 'build the shadow, report what would change, drop it')
    .option('--keep-old', 'keep the replaced tables in a schema instead of dropping them')
    .addHelpText('after', help)
    .action(async (name: string | undefined, flags: RebuildFlags) => {
      if ((name === undefined) === !flags.all) throw new AppError('rebuild.bad-target', 'name one projection or pass --all')
      const selected: Projection[] = flags.all
        ? [...projections]
        : [
            projectionByName(name!) ??
              (() => {
                throw new AppError('projection.unknown', `unknown projection ${name}; known: ${projections.map((p) => p.name).join(', ')}`)
              })(),
          ]
      await withServices(
        'rebuild',
        async (s) => {
          const differing: string[] = []
          for (const projection of selected) {
            const progress = createProgress(`rebuild ${projection.name}`, 0)
            try {
              const group = groupOf(configuredGroups(s.config), projection.name)!
              const report = await rebuildProjection(s, group.consumer, projection, {
                dryRun: flags.dryRun,
                keepOld: flags.keepOld,
                onProgress: progress.update,
              })
              progress.stop()
              for (const line of reportLines(report)) print(line)
              for (const d of report.diff ?? [])
                if (d.differing > 0 || d.liveRows !== d.rebuiltRows) differing.push(`${d.table} (${d.differing} differing rows)`)
            } finally {
              progress.stop()
            }
          }
          // A dry run is a check: scripts and the chaos suite rely on its exit code.
          if (differing.length > 0)
            throw new AppError('rebuild.differences', `the read models differ from a fresh fold of the log: ${differing.join(', ')}`)
        },
        { resolveSchemas: false },
      )
    })

  program
    .command('reset')
    .description("Empty a projector group's read models and checkpoints; its projector folds them again from the log")
    .requiredOption('--group <name>', 'the projector group (AGENTFLEET_PROJECTOR_GROUPS)')
    .option('--yes', 'do it (without it, only say what would be emptied)')
    .action(async (flags: { group: string; yes?: boolean }) => {
      await withServices(
        'reset',
        async (s) => {
          const groups = configuredGroups(s.config)
          const group = groups.find((g) => g.consumer === flags.group)
          if (!group)
            throw new AppError(
              'projector.unknown-group',
              `unknown projector group ${flags.group}; known: ${groups.map((g) => g.consumer).join(', ')}`,
            )
          const tables = group.projections.flatMap((p) => ownedTables(p))
          if (!flags.yes) {
            print(`would empty ${tables.join(', ')} and the checkpoints of projector group ${group.consumer}; run again with --yes`)
            return
          }
          await resetGroup(s.db, group)
          print(`projector group ${group.consumer} reset: ${tables.length} tables emptied; its projector folds them again from the log`)
        },
        { resolveSchemas: false },
      )
    })
}
