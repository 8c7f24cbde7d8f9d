import path from 'node:path'
import type { Command } from 'commander'
import { loadConfig } from '../config.ts'
import { createConsoleReporter, seconds } from '../stack/reporter.ts'
import { stackDown, stackStatus, stackUp } from '../stack/stack.ts'
import { downLines, statusLines } from '../stack/status-text.ts'

const print = (lines: readonly string[]): void => {
  for (const line of lines) process.stdout.write(`${line}\n`)
}

/** `agentfleet stack up|down|status`: Kafka and the schema registry as local JVMs, no Docker. */
export function registerStackCommands(program: Command): void {
  const stack = program
    .command('stack')
    .description('Run Kafka and the schema registry locally as plain JVMs (no Docker); Postgres and Redis are checked, not started')

  stack
    .command('up')
    .description('Download (first run only), start and wait for Kafka and the schema registry; create the Postgres databases')
    .action(async () => {
      const config = loadConfig()
      const reporter = createConsoleReporter(process.stdout)
      let result: Awaited<ReturnType<typeof stackUp>>
      try {
        result = await stackUp(config, reporter)
      } finally {
        reporter.close()
      }
      const started = result.parts.filter((p) => p.started).map((p) => p.name)
      const what = started.length > 0 ? `started ${started.join(' and ')}` : 'already running'
      const relative = path.relative(process.cwd(), result.logsDir)
      const logs = relative && !relative.startsWith('..') ? relative : result.logsDir
      print([`stack up in ${seconds(result.elapsedMs)} (${what}); logs in ${logs}`])
    })

  stack
    .command('down')
    .description('Stop the Kafka broker and schema registry that `stack up` started (SIGTERM, then SIGKILL after 20 s)')
    .action(async () => {
      print(downLines(await stackDown(loadConfig())))
    })

  stack
    .command('status')
    .description('Show whether Kafka, the registry, Postgres and Redis answer; exits 1 when something is missing')
    .action(async () => {
      const status = await stackStatus(loadConfig())
      print(statusLines(status))
      if (!status.ok) process.exitCode = 1
    })
}
