import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import { silenceKnownWarnings } from '../src/infra/known-warnings.ts'
import { createCleanup } from './cleanup.ts'
import { faultNames } from './faults/catalog.ts'
import { resolveOptions, type CliFlags } from './options.ts'
import { failed, formatReport } from './report.ts'
import { runChaos } from './scenario.ts'
import { seconds } from './wait.ts'

/**
 * `npm run chaos` (full) and `npm run chaos -- --short` (what `npm test` runs): fault injection
 * under load against every role as a process, then a table of checks. Exit 0 only when every
 * check passes; 1 when one fails or the run could not be carried out; 130 on Ctrl+C.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const began = Date.now()
const log = (line: string) => process.stdout.write(`chaos ${seconds(Date.now() - began).padStart(7)}  ${line}\n`)

const program = new Command('chaos')
  .description(
    'Kill every role (and, in full, the broker, Postgres and Redis connections) under load; check that nothing is lost, duplicated or stuck',
  )
  .option('--short', 'the short run: each role killed once, one Postgres fault, lighter load (what CI runs)')
  .option('--rate <n>', 'task submissions per second (default 4 short, 5 full)')
  .option('--duration <s>', 'keep the load up at least this many seconds, even when the faults are over sooner')
  .option('--faults <names>', `only these faults, comma-separated: ${faultNames.join(', ')}`)
  .option('--rounds <n>', 'go through the faults this many times, later rounds shuffled (default 1 short, 2 full)')
  .option('--keep', 'keep the namespace, the temp dir and the role logs for a look (the broker is stopped)')
  .parse()

silenceKnownWarnings()
process.chdir(repoRoot)
const options = resolveOptions(program.opts<CliFlags>())
const cleanup = createCleanup(log)

let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true
    log(`${signal}: cleaning up`)
    void cleanup.run().finally(() => process.exit(130))
  })
}

let code = 1
try {
  log(`${options.short ? 'short' : 'full'} run`)
  const checks = await runChaos(options, repoRoot, cleanup, log)
  const failures = failed(checks)
  process.stdout.write(`\n${formatReport(checks)}\n\n`)
  log(failures.length === 0 ? 'PASSED: every check holds' : `FAILED: ${failures.map((c) => c.check).join('; ')}`)
  code = failures.length === 0 ? 0 : 1
} catch (error) {
  if (!interrupted) log(`the run could not be carried out: ${(error as Error).stack ?? error}`)
} finally {
  if (!interrupted) {
    log('cleaning up')
    await cleanup.run()
  }
}
if (!interrupted) {
  log(`done in ${seconds(Date.now() - began)}`)
  process.exit(code)
}
