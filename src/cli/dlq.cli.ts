import { createInterface } from 'node:readline/promises'
import type { Command } from 'commander'
import { newId } from '../infra/ids.ts'
import { createWriteSide } from '../commands/write-side.ts'
import { AppError, NotFoundError } from '../errors.ts'
import { TaskPriority } from '../events/generated/event-types.ts'
import type { Services } from '../infra/services.ts'
import {
  countDeadLetters,
  getDeadLetter,
  listDeadLetters,
  toDeadLetterView,
  type DeadLetterFilters,
} from '../projections/task-failures/dead-letters.queries.ts'
import {
  purgeDeadLetter,
  purgeDeadLetters,
  requeueDeadLetter,
  requeueDeadLetters,
  type BulkOutcome,
} from '../queue/dead-letters/dead-letter-actions.ts'
import { withServices } from './context.ts'

type FilterOpts = {
  pool?: string
  priority?: string
  from?: string
  to?: string
  all?: boolean
  yes?: boolean
  json?: boolean
  limit?: string
  reason?: string
}

const print = (line: string) => process.stdout.write(`${line}\n`)
const context = () => ({ commandId: newId(), correlationId: newId(), causationId: null, actor: 'cli' })

const time = (flag: string, value: string | undefined): Date | undefined => {
  if (value === undefined) return undefined
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) throw new AppError('dlq.bad-option', `--${flag} must be a date/time, e.g. 2026-01-31T12:00:00Z`)
  return d
}

function filtersOf(opts: FilterOpts): DeadLetterFilters {
  if (opts.priority !== undefined && !TaskPriority.includes(opts.priority as TaskPriority))
    throw new AppError('dlq.bad-option', `--priority must be one of ${TaskPriority.join(', ')}`)
  return { pool: opts.pool, priority: opts.priority, from: time('from', opts.from), to: time('to', opts.to) }
}

const withFilters = (c: Command): Command =>
  c
    .option('--pool <pool>', 'only this pool')
    .option('--priority <priority>', `only this priority (${TaskPriority.join(', ')})`)
    .option('--from <time>', 'dead-lettered at or after')
    .option('--to <time>', 'dead-lettered before')

/** Asks before a bulk action; without a terminal `--yes` is required. */
async function confirm(verb: string, matched: number, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true
  if (!process.stdin.isTTY) throw new AppError('dlq.confirm', `${matched} dead letters match; pass --yes to ${verb} them`)
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  try {
    return /^y(es)?$/i.test((await rl.question(`${verb} ${matched} dead letters? [y/N] `)).trim())
  } finally {
    rl.close()
  }
}

async function act(services: Services, verb: 'requeue' | 'purge', id: string | undefined, opts: FilterOpts): Promise<void> {
  const writeSide = await createWriteSide(services)
  try {
    const reason = opts.reason ?? null
    if (id !== undefined) {
      const result =
        verb === 'requeue'
          ? await requeueDeadLetter(writeSide.execute, id, context())
          : await purgeDeadLetter(writeSide.execute, id, reason, context())
      print(`${verb}d ${id} (${result.events.map((e) => e.type).join(', ') || 'nothing to do'})`)
      return
    }
    const filters = filtersOf(opts)
    if (!opts.all && !filters.pool && !filters.priority && !filters.from && !filters.to)
      throw new AppError('dlq.filter-required', 'give a task id, a filter (--pool, --priority, --from, --to) or --all')
    const matched = await countDeadLetters(services.db, filters)
    print(`${matched} dead letters match`)
    if (matched === 0 || !(await confirm(verb, matched, opts.yes))) return
    const deps = { execute: writeSide.execute, db: services.db }
    const outcome: BulkOutcome =
      verb === 'requeue' ? await requeueDeadLetters(deps, filters, 'cli') : await purgeDeadLetters(deps, filters, reason, 'cli')
    print(`${verb}d ${outcome.count} of ${outcome.matched}`)
    for (const r of outcome.refused) print(`  skipped ${r.id}: ${r.code}`)
  } finally {
    await writeSide.close()
  }
}

/** `agentfleet dlq list|show|requeue|purge`: the dead-letter actions of the API, from a terminal. */
export function registerDlqCommands(program: Command): void {
  const dlq = program.command('dlq').description('Dead letters: tasks that spent their attempts')

  withFilters(dlq.command('list').description('List dead letters, newest first'))
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'one JSON object per line')
    .action(async (opts: FilterOpts) => {
      const limit = Number(opts.limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new AppError('dlq.bad-option', '--limit must be an integer from 1 to 10000')
      await withServices(
        'dlq',
        async ({ db }) => {
          const { items } = await listDeadLetters(db, filtersOf(opts), limit)
          for (const d of items) {
            print(
              opts.json
                ? JSON.stringify(toDeadLetterView(d))
                : `${d.id}  ${d.pool}  ${d.priority.padEnd(8)}  ${d.attempts} attempts  ${d.dead_lettered_at?.toISOString()}  ${d.last_error ?? ''}`,
            )
          }
          if (!opts.json) print(`${items.length} dead letters`)
        },
        { resolveSchemas: false },
      )
    })

  dlq
    .command('show <id>')
    .description('A dead letter with its failed attempts (JSON)')
    .action(async (id: string) => {
      await withServices(
        'dlq',
        async ({ db }) => {
          const d = await getDeadLetter(db, id)
          if (!d) throw new NotFoundError('dead-letter', id)
          // The same fields and names as GET /api/v1/dead-letters/:id.
          print(JSON.stringify(toDeadLetterView(d), null, 2))
        },
        { resolveSchemas: false },
      )
    })

  for (const verb of ['requeue', 'purge'] as const) {
    const cmd = withFilters(
      dlq
        .command(`${verb} [id]`)
        .description(
          verb === 'requeue'
            ? 'Requeue one dead letter, or every one matching the filters, with a fresh attempt budget'
            : 'Purge one dead letter, or every one matching the filters (kept in the log)',
        ),
    )
      .option('--all', 'every dead letter (when no filter is given)')
      .option('-y, --yes', 'do not ask for confirmation')
    if (verb === 'purge') cmd.option('--reason <text>', 'why, recorded in TaskPurged')
    cmd.action(async (id: string | undefined, opts: FilterOpts) => {
      await withServices('dlq', (services) => act(services, verb, id, opts))
    })
  }
}
