import type { Command } from 'commander'
import { inspectTopic } from '../ops/inspect.ts'
import { withServices } from './context.ts'
import { commaList, isoTime, nonNegativeInt, positiveInt } from './ops-options.ts'

type InspectFlags = {
  follow?: boolean
  aggregateId?: string
  type?: string[]
  from?: Date
  to?: Date
  partition?: number
  limit?: number
  raw?: boolean
}

const help = `
Prints one JSON line per record: topic, partition, offset, timestamp, key, type, meta, data.
Short names map to event topics (task -> <prefix>.task.events); full topic names work too.
Reads with a throwaway consumer group that commits nothing and is deleted afterwards.

Examples:
  $ agentfleet inspect task --limit 20
  $ agentfleet inspect task --aggregate-id 01J9Z... --type TaskCreated,TaskCancelled
  $ agentfleet inspect task --from 2025-01-31T12:00:00Z --to 2025-01-31T13:00:00Z | jq .data
  $ agentfleet inspect agentfleet.task.events --partition 3 --raw
  $ agentfleet inspect task --follow`

export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .argument('<topic>', 'short aggregate name (task, agent, ...) or a full topic name')
    .description('Dump or follow a topic, decoded from Avro to JSON lines')
    .option('-f, --follow', 'keep printing new records (Ctrl+C stops); otherwise stop at the end offsets captured at start')
    .option('--aggregate-id <id>', 'only this aggregate (the record key)')
    .option('--type <types>', 'only these event types (comma-separated)', commaList)
    .option('--from <iso>', 'records at or after this time', isoTime)
    .option('--to <iso>', 'records at or before this time', isoTime)
    .option('-p, --partition <n>', 'only this partition', nonNegativeInt)
    .option('-n, --limit <n>', 'stop after n records', positiveInt)
    .option('--raw', 'also show the framing: magic byte, schema id, subject, headers, key')
    .addHelpText('after', help)
    .action(async (topic: string, flags: InspectFlags) => {
      await withServices(
        'inspect',
        async (s) => {
          const abort = new AbortController()
          const onSignal = () => abort.abort()
          process.once('SIGINT', onSignal)
          process.once('SIGTERM', onSignal)
          try {
            await inspectTopic(
              { kafka: s.kafka, admin: s.admin, registry: s.registry, logger: s.logger, topicPrefix: s.config.kafka.topicPrefix },
              topic,
              {
                follow: flags.follow,
                aggregateId: flags.aggregateId,
                types: flags.type,
                from: flags.from,
                to: flags.to,
                partition: flags.partition,
                limit: flags.limit,
                raw: flags.raw,
              },
              (record) => process.stdout.write(`${JSON.stringify(record)}\n`),
              abort.signal,
            )
          } finally {
            process.off('SIGINT', onSignal)
            process.off('SIGTERM', onSignal)
          }
        },
        { resolveSchemas: false },
      )
    })
}
