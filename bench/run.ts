// `npm run bench`: the DESIGN §9 figures on this machine, against the running stack.
import { silenceKnownWarnings } from '../src/infra/known-warnings.ts'
import { createBenchEnv } from './bench-env.ts'
import { benchCommands, type Row } from './commands.bench.ts'
import { benchProjector } from './projector.bench.ts'
import { benchRebuild } from './rebuild.bench.ts'
import { benchVisibility } from './visibility.bench.ts'
import { benchBullmq } from './bullmq.bench.ts'
import { benchWorkers } from './workers.bench.ts'
import { benchEndToEnd } from './e2e.bench.ts'

silenceKnownWarnings()
const log = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`)
const suites = [
  ['commands', benchCommands],
  ['visibility', benchVisibility],
  ['projector', benchProjector],
  ['rebuild', benchRebuild],
  ['workers', benchWorkers],
  ['bullmq', benchBullmq],
  ['e2e', benchEndToEnd],
] as const
const only = process.argv.slice(2)
const rows: Row[] = []
for (const [name, suite] of suites) {
  if (only.length && !only.includes(name)) continue
  log(`— ${name}`)
  const env = await createBenchEnv()
  try {
    rows.push(...(await suite(env, log)))
  } finally {
    await env.cleanup()
  }
}
const width = Math.max(...rows.map((r) => r.figure.length))
process.stdout.write(`\n${'figure'.padEnd(width)}  ${'measured'.padStart(18)}  ${'target'.padStart(18)}  met\n`)
for (const r of rows)
  process.stdout.write(
    `${r.figure.padEnd(width)}  ${r.value.padStart(18)}  ${r.target.padStart(18)}  ${r.ok === undefined ? '-' : r.ok ? 'yes' : 'NO'}\n`,
  )
process.exit(0)
