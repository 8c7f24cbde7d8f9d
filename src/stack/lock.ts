import { randomUUID } from 'node:crypto'
import { link, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { AppError } from '../errors.ts'
import { isAlive, readPid } from './pid-files.ts'

export type LockOptions = Readonly<{
  /** Told the holder's pid while we wait (once per holder). */
  onWait?: (holder: number) => void
  timeoutMs?: number
}>

/**
 * A cross-process mutex as a pid file, so two `stack up`s (CI and `dev`, say) do not both
 * download or both spawn a broker and overwrite each other's pid file.
 * The lock is hard-linked from a file that already holds our pid: it never exists empty.
 * A lock whose holder died is taken over.
 */
export async function withLock<T>(file: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true })
  const mine = `${file}.${process.pid}.${randomUUID()}`
  await writeFile(mine, `${process.pid}\n`)
  const deadline = Date.now() + (options.timeoutMs ?? 20 * 60_000)
  let told: number | undefined
  try {
    for (;;) {
      try {
        await link(mine, file)
        break
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      const seen = await stat(file).catch(() => undefined)
      const holder = await readPid(file)
      if (holder === undefined || !(await isAlive(holder))) {
        if (seen) await takeOver(file, seen.ino, `${mine}.stale`)
        continue
      }
      if (Date.now() > deadline) throw new AppError('stack.locked', `another \`stack up\` (pid ${holder}) still holds ${file}`)
      if (told !== holder) options.onWait?.(holder)
      told = holder
      await sleep(250)
    }
  } finally {
    await rm(mine, { force: true })
  }
  try {
    return await fn()
  } finally {
    await rm(file, { force: true })
  }
}

/**
 * Removes a dead holder's lock without a check-then-delete race: the lock is moved aside
 * atomically, and if what was moved is not the file we judged dead (another waiter took the
 * lock in between) it is linked back.
 */
async function takeOver(file: string, deadIno: number, aside: string): Promise<void> {
  try {
    await rename(file, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  try {
    if ((await stat(aside)).ino !== deadIno) await link(aside, file).catch(() => undefined)
  } finally {
    await rm(aside, { force: true })
  }
}
