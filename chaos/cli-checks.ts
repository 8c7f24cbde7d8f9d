import { spawn } from 'node:child_process'

export type CliRun = Readonly<{ code: number | null; stdout: string; stderr: string; ms: number }>

/** Runs `node bin/agentfleet.js <args>` in the run's namespace and collects its output. */
export function runAgentfleet(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
  timeoutMs: number,
): Promise<CliRun> {
  const began = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/agentfleet.js', ...args], {
      cwd,
      env: { ...process.env, ...env, AGENTFLEET_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, ms: Date.now() - began })
    })
  })
}

export type RebuildDiff = Readonly<{ tables: readonly { table: string; differing: number }[]; differing: number; notes: readonly string[] }>

/** The `<table>: live N rows, rebuilt M rows, K differing` lines of `rebuild --dry-run`. */
export function parseRebuildDryRun(stdout: string): RebuildDiff {
  const tables: { table: string; differing: number }[] = []
  const notes: string[] = []
  for (const line of stdout.split('\n')) {
    const m = /^(\S+): live \d+ rows, rebuilt \d+ rows, (\d+) differing/.exec(line)
    if (m) tables.push({ table: m[1]!, differing: Number(m[2]) })
    if (line.startsWith('note:')) notes.push(line)
  }
  return { tables, differing: tables.reduce((s, t) => s + t.differing, 0), notes }
}

export type VerifyResult = Readonly<{ kind: 'unavailable'; detail: string }> | Readonly<{ kind: 'clean' | 'failed'; detail: string }>

/** `agentfleet verify` may not exist yet (it is being built): an unknown command is reported as such. */
export function interpretVerify(run: CliRun): VerifyResult {
  if (run.code !== 0 && /unknown command/i.test(run.stderr)) return { kind: 'unavailable', detail: 'agentfleet verify: unknown command' }
  const summary = run.stdout
    .split('\n')
    .filter((l) => /duplicates|^ok:|offending|undecodable/.test(l))
    .map((l) => l.trim())
    .join('; ')
  if (run.code === 0) return { kind: 'clean', detail: summary || 'exit 0' }
  return { kind: 'failed', detail: `exit ${run.code}: ${summary || run.stderr.trim().split('\n').slice(-3).join(' ')}` }
}
