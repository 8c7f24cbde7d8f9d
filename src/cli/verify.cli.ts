import type { Command } from 'commander'
import { AppError } from '../errors.ts'
import { createProgress } from '../ops/progress.ts'
import { describeProblem, versionsClean } from '../ops/version-check.ts'
import { verifyLog, type VerifyReport } from '../ops/verify-log.ts'
import { withServices } from './context.ts'
import { commaList, positiveInt, print } from './ops-options.ts'

type VerifyFlags = { aggregate?: string[]; limit?: number; json?: boolean }

const help = `
Reads every event topic of the namespace from its first offset to the end offsets captured at
start, and checks each aggregate stream: versions 1, 2, 3, ... in log order within its partition.
Reports duplicates (a version twice), gaps (a version missing), versions out of order, events
outside their stream's partition and records that do not decode, with topic/partition@offset.
Reads with a throwaway consumer group; nothing is written. Exits 1 when it finds anything.

Examples:
  $ agentfleet verify
  $ agentfleet verify --aggregate task --limit 50
  $ agentfleet verify --json | jq .offending`

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

function printReport(r: VerifyReport): void {
  print(
    `verified ${plural(r.topics.length, 'topic')} (${plural(r.partitions, 'partition')}): ${plural(r.events, 'event')} in ${plural(r.streams, 'stream')}`,
  )
  print(
    `  duplicates ${r.duplicates}, gaps ${r.gaps} (${plural(r.missingVersions, 'version')} missing), out of order ${r.outOfOrder}, misplaced ${r.misplaced}, invalid ${r.invalid}, undecodable ${r.undecodable}`,
  )
  for (const t of r.truncated)
    print(`  note: ${t.topic}/${t.partition} starts at offset ${t.from} (earlier records deleted): its streams show gaps from version 1`)
  if (r.offendingStreams > 0) {
    print(`offending streams (${r.offending.length} of ${r.offendingStreams}):`)
    for (const s of r.offending) {
      print(`  ${s.stream}`)
      for (const p of s.problems) print(`    - ${describeProblem(p)}`)
      if (s.more > 0) print(`    - … and ${plural(s.more, 'more problem')}`)
    }
  }
  for (const u of r.undecodableAt) print(`  undecodable: ${u.topic}/${u.partition}@${u.offset}: ${u.error}`)
  if (r.offendingStreams === 0 && r.undecodable === 0) print('ok: every stream has versions 1..n, each once, in order')
}

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description("Check every aggregate stream's versions in the log: duplicates and gaps")
    .option('-a, --aggregate <types>', 'only these aggregate types (comma-separated: task,agent,...)', commaList)
    .option('-n, --limit <n>', 'offending streams to detail', positiveInt, 20)
    .option('--json', 'print the report as one JSON object')
    .addHelpText('after', help)
    .action(async (flags: VerifyFlags) => {
      await withServices(
        'verify',
        async (s) => {
          // Progress on stderr, so that stdout (the report, or --json) stays clean for pipes.
          const progress = createProgress('verify', 0, process.stderr)
          let report: VerifyReport
          try {
            report = await verifyLog(
              { ...s, topicPrefix: s.config.kafka.topicPrefix },
              { aggregates: flags.aggregate, offendingLimit: flags.limit },
              progress.update,
            )
          } finally {
            progress.stop()
          }
          if (flags.json) print(JSON.stringify(report))
          else printReport(report)
          if (!versionsClean(report) || report.undecodable > 0)
            throw new AppError(
              'verify.failed',
              `the log of ${s.config.kafka.topicPrefix} is not consistent: ${plural(report.offendingStreams, 'stream')} with version problems, ${plural(report.undecodable, 'undecodable record')}`,
            )
        },
        // Decoding resolves writer schemas by id; nothing is encoded.
        { resolveSchemas: false },
      )
    })
}
