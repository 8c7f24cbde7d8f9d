import { createRoleProcess, type RoleName, type RoleProcess, type StopResult } from './role-process.ts'

export type Roles = Readonly<Record<RoleName, RoleProcess>>

/** The roles of one deployment, each a process: api, projector, reactors, loops, and the worker group of `pool`. */
export function createRoles(deps: { env: Readonly<Record<string, string>>; cwd: string; logDir: string; pool: string }): Roles {
  const role = (name: RoleName, args: readonly string[]) =>
    createRoleProcess({ role: name, args, env: deps.env, cwd: deps.cwd, logDir: deps.logDir })
  return {
    api: role('api', ['api']),
    projector: role('projector', ['projector']),
    reactors: role('reactors', ['reactors']),
    loops: role('loops', ['loops']),
    workers: role('workers', ['workers', '--pool', deps.pool]),
  }
}

/** Stops every running role at once: SIGTERM, SIGKILL after `deadlineMs`. */
export async function stopRoles(roles: Roles, deadlineMs: number): Promise<StopResult[]> {
  const running = Object.values(roles).filter((r) => r.running())
  return Promise.all(running.map((r) => r.stop(deadlineMs)))
}
