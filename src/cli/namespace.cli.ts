import type { Command } from 'commander'
import { AppError } from '../errors.ts'
import { executeNamespaceDrop, planNamespaceDrop, type DropStep, type NamespacePlan } from '../ops/drop-namespace.ts'
import { listNamespaces } from '../ops/list-namespaces.ts'
import { assertDroppable, namespaceFor } from '../ops/namespace-names.ts'
import { createProgress, type Progress } from '../ops/progress.ts'
import { withServices } from './context.ts'
import { print } from './ops-options.ts'

type DropFlags = { force?: boolean; dryRun?: boolean; schema?: string; redisPrefix?: string }

const dropHelp = `
Removes everything a namespace owns: Kafka topics under <prefix>., consumer groups whose id
starts with <prefix>., registry subjects of those topics (soft, then permanently), its Postgres
schema and its Redis keys. The configured namespace (AGENTFLEET_TOPIC_PREFIX) and the default
one (agentfleet) map to their configured schema and Redis prefix; any other prefix follows the
convention of tests and benchmarks (test-1a2b -> schema test_1a2b, Redis test:1a2b:) unless
--schema / --redis-prefix say otherwise.

Safety: the configured and the default namespace need --force, and so does a namespace whose
consumer groups still have members (its processes are running). A shared schema (public) is
never dropped. Names of another namespace nested under the prefix (a.b under a) are left alone.
--dry-run shows what would go.

Examples:
  $ agentfleet namespace list
  $ agentfleet namespace drop test-1a2b --dry-run
  $ agentfleet namespace drop staging --schema staging_models --redis-prefix stg:`

function printPlan(plan: NamespacePlan, verbose: boolean): void {
  const { namespace: ns } = plan
  print(`namespace ${ns.prefix}:`)
  print(`  topics           ${plan.topics.length}`)
  if (verbose) for (const t of plan.topics) print(`    ${t}`)
  print(`  consumer groups  ${plan.groups.length}${plan.activeGroups.length > 0 ? ` (${plan.activeGroups.length} with members)` : ''}`)
  if (verbose) for (const g of plan.groups) print(`    ${g}${plan.activeGroups.includes(g) ? ' (has members)' : ''}`)
  print(
    `  registry subjects up to ${plan.subjects.length} (those listed under the prefix and those its topics' records would have${plan.subjectListingPartial ? '; the registry listing is capped, so names are computed too' : ''})`,
  )
  print(`  postgres schema  ${ns.schema} (${plan.schema.shared ? 'shared: kept' : plan.schema.exists ? 'exists' : 'absent'})`)
  print(
    `  redis keys       ${ns.redisPrefix}*${plan.redisKept.length > 0 ? ` except ${plan.redisKept.map((r) => `${r}*`).join(', ')}` : ''}`,
  )
}

export function registerNamespaceCommands(program: Command): void {
  const namespace = program.command('namespace').description('Namespaces (topic prefix, schema, Redis prefix) on the shared stack')

  namespace
    .command('list')
    .description('Namespaces found among Kafka topics and registry subjects, with what each holds')
    .option('--json', 'print one JSON object')
    .action(async (flags: { json?: boolean }) => {
      await withServices(
        'namespace',
        async (s) => {
          const listing = await listNamespaces(s)
          if (flags.json) {
            print(JSON.stringify(listing))
            return
          }
          if (listing.namespaces.length === 0) {
            print('no namespaces found')
            return
          }
          const rows = listing.namespaces.map((n) => [
            `${n.prefix}${n.configured ? ' *' : ''}`,
            String(n.eventTopics),
            String(n.dispatchTopics),
            String(n.groups),
            `${n.subjects}${listing.subjectListingPartial ? '+' : ''}`,
            `${n.schema}${n.schemaExists ? '' : ' (absent)'}`,
          ])
          const header = ['prefix', 'event topics', 'dispatch topics', 'groups', 'subjects', 'schema']
          const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
          for (const r of [header, ...rows]) print(r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join('  '))
          print(`${listing.namespaces.length} namespaces; * = configured (AGENTFLEET_TOPIC_PREFIX)`)
          if (listing.subjectListingPartial)
            print('note: the registry listed 1000 subjects, probably its cap (Apicurio ccompat): subject counts are a lower bound')
        },
        { resolveSchemas: false },
      )
    })

  namespace
    .command('drop')
    .argument('<prefix>', 'topic prefix of the namespace (AGENTFLEET_TOPIC_PREFIX it ran with)')
    .description('Remove everything a namespace owns: topics, consumer groups, registry subjects, Postgres schema, Redis keys')
    .option('--force', 'also drop the configured or default namespace, or one whose processes are still running')
    .option('--dry-run', 'show what would be removed, remove nothing')
    .option('--schema <name>', 'its Postgres schema, when it does not follow the convention')
    .option('--redis-prefix <prefix>', 'its Redis key prefix, when it does not follow the convention')
    .addHelpText('after', dropHelp)
    .action(async (prefix: string, flags: DropFlags) => {
      await withServices(
        'namespace',
        async (s) => {
          const ns = namespaceFor(prefix, s.config, { schema: flags.schema, redisPrefix: flags.redisPrefix })
          assertDroppable(ns, s.config, flags.force ?? false)
          const plan = await planNamespaceDrop(s, ns)
          printPlan(plan, flags.dryRun ?? false)
          if (flags.dryRun) return
          if (plan.activeGroups.length > 0 && !flags.force)
            throw new AppError(
              'namespace.in-use',
              `consumer groups of ${prefix} still have members (${plan.activeGroups.join(', ')}): stop its processes first, or pass --force`,
            )
          let bar: Progress | undefined
          const onProgress = (step: DropStep, done: number, total: number) => {
            if (step === 'subjects') {
              bar ??= createProgress('subjects', total, process.stderr, 2_000, 'subjects')
              bar.update(done, total)
              if (done === total) bar.stop()
            }
          }
          const r = await executeNamespaceDrop(s, plan, onProgress).finally(() => bar?.stop())
          print(
            `dropped ${prefix}: ${r.topics} topics, ${r.groups} consumer groups, ${r.subjects} registry subjects, schema ${ns.schema} ${r.schema}, ${r.redisKeys} Redis keys`,
          )
          for (const f of r.failures) print(`  failed: ${f}`)
          if (r.failures.length > 0)
            throw new AppError('namespace.drop-incomplete', `${r.failures.length} parts of ${prefix} could not be removed (listed above)`)
        },
        { resolveSchemas: false },
      )
    })
}
