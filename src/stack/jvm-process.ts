import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { mkdir, open, rename, stat } from 'node:fs/promises'
import path from 'node:path'
import { pollUntil } from '../infra/retry.ts'
import { isAlive } from './pid-files.ts'

export type DetachedSpec = Readonly<{
  command: string
  args: readonly string[]
  cwd: string
  env: NodeJS.ProcessEnv
  logFile: string
}>

/**
 * Starts a JVM that outlives this process: own process group, stdio to its log file, unref'd.
 * Resolves once the OS has started it (so a missing binary fails here, not silently later).
 */
export async function spawnDetached(spec: DetachedSpec): Promise<number> {
  await mkdir(path.dirname(spec.logFile), { recursive: true })
  const fd = openSync(spec.logFile, 'a')
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    })
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve)
      child.once('error', reject)
    })
    child.unref()
    if (child.pid === undefined) throw new Error(`${spec.command} did not start`)
    return child.pid
  } finally {
    closeSync(fd)
  }
}

/** Signals the whole process group (detached children lead their own), falling back to the pid. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig)
  } catch {
    try {
      process.kill(pid, sig)
    } catch {
      // Already gone.
    }
  }
}

const waitGone = async (pid: number, ms: number): Promise<boolean> =>
  (await pollUntil(async () => ((await isAlive(pid)) ? undefined : true), { timeoutMs: ms, minMs: 50, maxMs: 200 })) ?? false

export type StopOutcome = 'stopped' | 'killed' | 'survived'

/** SIGTERM lets Kafka close its logs cleanly; SIGKILL after the grace period so nothing is left behind. */
export async function stopProcess(pid: number, graceMs = 20_000): Promise<StopOutcome> {
  signal(pid, 'SIGTERM')
  if (await waitGone(pid, graceMs)) return 'stopped'
  signal(pid, 'SIGKILL')
  return (await waitGone(pid, 5_000)) ? 'killed' : 'survived'
}

/** Keeps the previous run's log as `<name>.1`, so each start begins a fresh, bounded file. */
export async function rotateLog(file: string): Promise<void> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  )
  if (size > 0) await rename(file, `${file}.1`)
}

/** Last non-empty lines of a log, for error messages when a JVM dies during start-up. */
export async function tailLog(file: string, lines = 3, bytes = 16_384): Promise<string[]> {
  const handle = await open(file, 'r').catch(() => undefined)
  if (!handle) return []
  try {
    const { size } = await handle.stat()
    const start = Math.max(0, size - bytes)
    const buffer = Buffer.alloc(size - start)
    await handle.read(buffer, 0, buffer.length, start)
    return lastLines(buffer.toString('utf8'), lines)
  } finally {
    await handle.close()
  }
}

export function lastLines(text: string, n: number): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-n)
}
