import type { Config } from '../config.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../infra/logger.ts'
import { ensureDatabases, parseDatabaseUrl } from './databases.ts'
import { findJava, type JavaInfo } from './java.ts'
import { kafkaNode } from './kafka-node.ts'
import { stackLayout, type StackLayout } from './layout.ts'
import { bringDown, bringUp, partState, type DownOutcome, type PartState, type StackPart, type UpOutcome } from './part.ts'
import { registryNode } from './registry-node.ts'
import { isReporter, loggerReporter, type StackReporter } from './reporter.ts'
import { checkServices, type ServiceStatus } from './prerequisites.ts'

export type StackOptions = Readonly<{ cwd?: string }>

function stackParts(config: Config, options: StackOptions): { layout: StackLayout; parts: StackPart[] } {
  const layout = stackLayout(config, options.cwd ?? process.cwd())
  return { layout, parts: [kafkaNode({ config, layout }), registryNode({ config, layout })] }
}

export type StackUpResult = Readonly<{
  elapsedMs: number
  parts: readonly UpOutcome[]
  createdDatabases: readonly string[]
  logsDir: string
}>

/**
 * Brings Kafka and the registry up (downloading them the first time) and waits until both answer.
 * Postgres and Redis must already run: they are checked, and the app and registry databases created.
 * Idempotent: running parts are left alone. Accepts a reporter (CLI) or a pino logger (`dev`).
 */
export async function stackUp(config: Config, out: StackReporter | Logger, options: StackOptions = {}): Promise<StackUpResult> {
  const started = Date.now()
  const reporter = isReporter(out) ? out : loggerReporter(out)
  const { layout, parts } = stackParts(config, options)

  const problems = (await checkServices(config)).filter((s) => !s.ok).map((s) => s.problem)
  if (problems.length > 0) throw new AppError('stack.prerequisite', problems.join('\n'))
  const createdDatabases = await ensureDatabases(config.postgres.url, [
    parseDatabaseUrl(config.postgres.url).database,
    config.stack.registryDatabase,
  ])
  if (createdDatabases.length > 0) reporter.note(`created Postgres database ${createdDatabases.join(', ')}`)

  // Looked up only when something must start; both parts share one lookup.
  let java: Promise<JavaInfo> | undefined
  const findOnce = (): Promise<JavaInfo> =>
    (java ??= findJava(config.stack.javaHome).then((j) => {
      reporter.note(`using Java ${j.version} (${j.home ?? j.bin})`)
      return j
    }))

  const results = await Promise.allSettled(
    parts.map(async (part) => {
      const task = reporter.task(part.name, 'checking')
      try {
        return await bringUp(part, findOnce, task)
      } catch (error) {
        task.fail('failed')
        throw error
      }
    }),
  )
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []))
  // Both parts share one Java lookup, so the same failure may arrive twice.
  const messages = [...new Set(failures.map((f) => (f instanceof Error ? f.message : String(f))))]
  if (messages.length === 1) throw failures[0]
  if (messages.length > 1) throw new AppError('stack.start', messages.join('\n'), { cause: failures[0] })
  const outcomes = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  return { elapsedMs: Date.now() - started, parts: outcomes, createdDatabases, logsDir: layout.logs }
}

/** Stops what `up` started (pid files only), registry and Kafka in parallel. */
export async function stackDown(config: Config, options: StackOptions = {}): Promise<DownOutcome[]> {
  const { parts } = stackParts(config, options)
  return Promise.all(parts.map((part) => bringDown(part)))
}

export type PartStatus = Readonly<{ name: string; label: string; product: string; endpoint: string; logFile: string; state: PartState }>

export type StackStatus = Readonly<{
  parts: readonly PartStatus[]
  services: readonly ServiceStatus[]
  /** Everything the app needs answers: both JVMs running, Postgres and Redis reachable. */
  ok: boolean
}>

export async function stackStatus(config: Config, options: StackOptions = {}): Promise<StackStatus> {
  const { parts } = stackParts(config, options)
  const [states, services] = await Promise.all([Promise.all(parts.map((p) => partState(p))), checkServices(config)])
  const partStatuses = parts.map((p, i) => ({
    name: p.name,
    label: p.label,
    product: p.product,
    endpoint: p.endpoint,
    logFile: p.logFile,
    state: states[i] as PartState,
  }))
  const ok = partStatuses.every((p) => p.state.kind === 'running') && services.every((s) => s.ok)
  return { parts: partStatuses, services, ok }
}
