import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, writeSync } from 'node:fs'
import path from 'node:path'
import { isAlive } from './proc.ts'

export type RoleName = 'api' | 'projector' | 'reactors' | 'loops' | 'workers'

export type StopResult = Readonly<{ role: RoleName; pid: number | undefined; ms: number; killed: boolean }>

/**
 * One role of the system as a process of its own (`node bin/agentfleet.js <args>`), which the
 * suite can SIGKILL and start again. Each role runs in a process group of its own, so a Ctrl+C
 * at the terminal reaches only the suite, which then stops the roles itself. Output goes to
 * `<logDir>/<role>.log`, appended across restarts.
 */
export function createRoleProcess(deps: {
  role: RoleName
  args: readonly string[]
  env: Readonly<Record<string, string>>
  cwd: string
  logDir: string
}) {
  const logPath = path.join(deps.logDir, `${deps.role}.log`)
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()
  let starts = 0
  let expectingExit = false
  const unexpected: string[] = []

  const start = (): number => {
    const fd = openSync(logPath, 'a')
    writeSync(fd, `\n--- ${new Date().toISOString()} start #${++starts}: agentfleet ${deps.args.join(' ')}\n`)
    const c = spawn(process.execPath, ['bin/agentfleet.js', ...deps.args], {
      cwd: deps.cwd,
      env: { ...process.env, ...deps.env },
      stdio: ['ignore', fd, fd],
      detached: true,
    })
    closeSync(fd)
    child = c
    expectingExit = false
    exited = new Promise((resolve) => {
      c.once('exit', (code, signal) => {
        if (!expectingExit)
          unexpected.push(`pid ${c.pid} exited by itself (${signal ?? `code ${code}`}) at ${new Date().toISOString().slice(11, 23)}`)
        resolve()
      })
      c.once('error', () => resolve())
    })
    return c.pid!
  }

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null
  const pid = (): number | undefined => (running() ? child!.pid : undefined)

  return {
    role: deps.role,
    logPath,
    start,
    pid,
    running,
    /** Exits the suite did not cause: a role that dies by itself is a finding, even when another restart would hide it. */
    unexpectedExits: (): readonly string[] => unexpected,
    /** A crash: SIGKILL to the role's own process only (its children, if any, live on as they would). */
    async kill(): Promise<number | undefined> {
      const victim = pid()
      if (victim === undefined) return undefined
      expectingExit = true
      process.kill(victim, 'SIGKILL')
      await exited
      return victim
    },
    /** SIGTERM, then SIGKILL when it has not exited within `deadlineMs`. */
    async stop(deadlineMs: number): Promise<StopResult> {
      const target = pid()
      const began = Date.now()
      if (target === undefined) return { role: deps.role, pid: target, ms: 0, killed: false }
      expectingExit = true
      process.kill(target, 'SIGTERM')
      const inTime = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), deadlineMs))])
      if (!inTime && isAlive(target)) {
        process.kill(target, 'SIGKILL')
        await exited
      }
      return { role: deps.role, pid: target, ms: Date.now() - began, killed: !inTime }
    },
  }
}

export type RoleProcess = ReturnType<typeof createRoleProcess>
