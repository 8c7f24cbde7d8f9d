import { commandLine, pidsWithCommandLine, pidsWithEnv } from './proc.ts'
import { waitFor } from './wait.ts'

export type Leftovers = Readonly<{ processes: string[]; scripts: string[] }>

const describe = (pid: number) => `pid ${pid}: ${commandLine(pid).slice(0, 120)}`

/**
 * Processes of the run still alive once every role was stopped: any process whose environment
 * carries the run's topic prefix (roles, orphaned worker processes, handler children), and any
 * side-effect script. Waits up to `graceMs` for them to go before listing them.
 */
export async function findLeftovers(prefix: string, sideEffectsDir: string, graceMs: number): Promise<Leftovers> {
  const find = () => ({
    processes: pidsWithEnv(`AGENTFLEET_TOPIC_PREFIX=${prefix}`).filter((p) => p !== process.pid),
    scripts: pidsWithCommandLine(sideEffectsDir),
  })
  await waitFor(async () => {
    const now = find()
    return now.processes.length + now.scripts.length === 0 ? true : undefined
  }, graceMs)
  const last = find()
  return { processes: last.processes.map(describe), scripts: last.scripts.map(describe) }
}

/** SIGKILL whatever of the run is still alive (cleanup: a run never leaves processes behind). */
export function killLeftovers(prefix: string, sideEffectsDir: string): number {
  const pids = new Set([...pidsWithEnv(`AGENTFLEET_TOPIC_PREFIX=${prefix}`), ...pidsWithCommandLine(sideEffectsDir)])
  pids.delete(process.pid)
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      /* gone */
    }
  }
  return pids.size
}
