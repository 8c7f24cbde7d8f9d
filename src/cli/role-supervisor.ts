import { fork, type ChildProcess } from 'node:child_process'
import type { Logger } from '../infra/logger.ts'

export type Role = Readonly<{ name: string; args: readonly string[] }>

/**
 * Runs process roles as children of this process (`agentfleet <args>` each), restarting one that
 * dies with a growing delay; `stop` asks every child to stop (SIGTERM), waits, and kills those
 * that outlive the deadline. A child learns that its parent died from the IPC channel closing.
 */
export function superviseRoles(deps: {
  roles: readonly Role[]
  entry: string
  env: NodeJS.ProcessEnv
  logger: Logger
  stopTimeoutMs: number
}) {
  const children = new Map<string, ChildProcess>()
  const deaths = new Map<string, number>()
  let stopping = false

  const start = (role: Role) => {
    const child = fork(deps.entry, [...role.args], { env: deps.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    children.set(role.name, child)
    child.once('exit', (code, signal) => {
      if (stopping) return
      const n = (deaths.get(role.name) ?? 0) + 1
      deaths.set(role.name, n)
      setTimeout(() => deaths.set(role.name, Math.max(0, (deaths.get(role.name) ?? 1) - 1)), 60_000).unref()
      const delay = Math.min(10_000, 250 * 2 ** Math.min(n, 6))
      deps.logger.error({ role: role.name, code, signal, restartInMs: delay }, 'role exited; restarting it')
      setTimeout(() => {
        if (!stopping) start(role)
      }, delay).unref()
    })
  }
  for (const role of deps.roles) start(role)

  return {
    pids: () => [...children.values()].map((c) => c.pid),
    async stop(): Promise<void> {
      stopping = true
      await Promise.all(
        [...children.values()].map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve()
              const timer = setTimeout(() => c.kill('SIGKILL'), deps.stopTimeoutMs)
              c.once('exit', () => {
                clearTimeout(timer)
                resolve()
              })
              c.kill('SIGTERM')
            }),
        ),
      )
    },
  }
}
