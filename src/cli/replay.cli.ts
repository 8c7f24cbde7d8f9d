import type { Command } from 'commander'
import { createProgress } from '../ops/progress.ts'
import { replay } from '../ops/replay.ts'
import { resolveReplayTarget } from '../ops/replay-target.ts'
import { projections } from '../projections/catalog.ts'
import { withServices } from './context.ts'
import { isoTime, nonNegativeInt, print } from './ops-options.ts'

type ReplayFlags = {
  projection?: string
  reactor?: string
  topic?: string
  partition?: number
  fromOffset?: number
  toOffset?: number
  from?: Date
  to?: Date
  aggregateId?: string
}

const help = `
Re-delivers a range of the log to ONE projection (through the version gate: events already
applied are skipped, so replaying twice changes nothing) or to ONE reactor's reaction
(reactions are idempotent). No other projection or group is touched; no offsets are committed.
Without a range, the whole log of the target's topics up to now is replayed.

Examples:
  $ agentfleet replay --projection tasks --aggregate-id 01J9Z...
  $ agentfleet replay --projection tasks --topic task --partition 2 --from-offset 1000 --to-offset 1999
  $ agentfleet replay --reactor dispatcher --from 2025-01-31T12:00:00Z --to 2025-01-31T12:05:00Z`

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('Re-deliver events to one projection or one reactor')
    .option('--projection <name>', `target projection (${projections.map((p) => p.name).join(', ')})`)
    .option('--reactor <name>', 'target reactor')
    .option('--topic <topic>', 'only this topic of the target (short or full name)')
    .option('-p, --partition <n>', 'only this partition', nonNegativeInt)
    .option('--from-offset <n>', 'first offset (inclusive)', nonNegativeInt)
    .option('--to-offset <n>', 'last offset (inclusive)', nonNegativeInt)
    .option('--from <iso>', 'events at or after this time', isoTime)
    .option('--to <iso>', 'events at or before this time', isoTime)
    .option('--aggregate-id <id>', 'only this aggregate')
    .addHelpText('after', help)
    .action(async (flags: ReplayFlags) => {
      await withServices(
        'replay',
        async (s) => {
          const { target, close } = await resolveReplayTarget(s, { projection: flags.projection, reactor: flags.reactor })
          const progress = createProgress(`replay ${flags.projection ?? flags.reactor}`, 0)
          try {
            const startedAt = Date.now()
            const r = await replay(
              { ...s, topicPrefix: s.config.kafka.topicPrefix },
              target,
              {
                topic: flags.topic,
                partition: flags.partition,
                fromOffset: flags.fromOffset,
                toOffset: flags.toOffset,
                from: flags.from,
                to: flags.to,
                aggregateId: flags.aggregateId,
              },
              progress.update,
            )
            progress.stop()
            const rate = Math.round(r.read / Math.max((Date.now() - startedAt) / 1000, 0.001))
            print(
              `replayed to ${r.target}: read ${r.read}, delivered ${r.delivered}, applied ${r.applied}, already applied ${r.duplicates}, refused ${r.refused}, conflicts ${r.conflicts} (${rate} events/s)`,
            )
          } finally {
            progress.stop()
            await close()
          }
        },
        { resolveSchemas: false },
      )
    })
}
