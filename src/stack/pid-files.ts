import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

/** A pid file holds one positive integer; anything else counts as no pid. */
export function parsePid(text: string): number | undefined {
  const trimmed = text.trim()
  if (!/^\d+$/.test(trimmed)) return undefined
  const pid = Number(trimmed)
  return pid > 1 && Number.isSafeInteger(pid) ? pid : undefined
}

export async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined)
  return text === undefined ? undefined : parsePid(text)
}

export async function writePid(file: string, pid: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, `${pid}\n`)
}

export async function removePid(file: string): Promise<void> {
  await rm(file, { force: true })
}

/** `kill -0`; EPERM still means the process exists. Zombies count as gone. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  return stat === undefined || zombieState(stat) !== 'Z'
}

/** The state letter of /proc/<pid>/stat: after the `(comm)` field, which may itself contain spaces. */
export function zombieState(stat: string): string | undefined {
  const close = stat.lastIndexOf(')')
  return close < 0 ? undefined : stat.slice(close + 2, close + 3)
}

export async function commandLine(pid: number): Promise<string[] | undefined> {
  const raw = await readFile(`/proc/${pid}/cmdline`).catch(() => undefined)
  return raw === undefined ? undefined : raw.toString('utf8').split('\0').filter(Boolean)
}

/**
 * Guards against pid reuse: our JVMs carry marker arguments. Without /proc (macOS) we cannot tell,
 * so a live pid from our own pid file is trusted.
 */
export function isOurCommand(args: readonly string[] | undefined, markers: readonly string[]): boolean {
  if (args === undefined) return true
  return markers.every((m) => args.includes(m))
}

/** Alive and still one of ours. */
export async function isOurProcess(pid: number, markers: readonly string[]): Promise<boolean> {
  return (await isAlive(pid)) && isOurCommand(await commandLine(pid), markers)
}
