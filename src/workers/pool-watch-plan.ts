import type { PoolSettings } from './pool-settings.ts'

/** A pool the watch should run: its settings, or why they cannot be run. `version` is the pool stream's (0: settings file only). */
export type WantedPool = Readonly<{ pool: string; version: number } & ({ settings: PoolSettings } | { problem: string })>

export type RunningPool = Readonly<{ pool: string; version: number; settings: PoolSettings }>

export type PoolWatchStep = Readonly<{
  start: readonly RunningPool[]
  /** `replaceWorkers`: the handler or the slots changed, so the processes started with the old settings are drained and replaced */
  reconfigure: readonly (RunningPool & { replaceWorkers: boolean })[]
  stop: readonly string[]
  /** pools whose settings cannot be run; one that runs keeps its last good settings */
  refused: readonly Readonly<{ pool: string; version: number; problem: string }>[]
}>

/** Settings a running worker process was started with: a change to one of them needs a new process. */
const processSettings = (s: PoolSettings) => JSON.stringify([s.handler, s.handlerConfig, s.maxAgentsPerProcess])

/**
 * What a worker-group host does to follow the pools: start a group for a new pool, reconfigure
 * one whose settings changed (PoolConfigUpdated), stop one that is gone (PoolDeleted) or may run no
 * process (maxWorkers 0). A draining pool keeps its group: its remaining tasks must still finish.
 * One pool's bad settings touch no other pool.
 */
export function planPoolWatch(running: readonly RunningPool[], wanted: readonly WantedPool[]): PoolWatchStep {
  const runningByPool = new Map(running.map((r) => [r.pool, r]))
  const wantedPools = new Set(wanted.map((w) => w.pool))
  const start: RunningPool[] = []
  const reconfigure: (RunningPool & { replaceWorkers: boolean })[] = []
  const stop: string[] = []
  const refused: { pool: string; version: number; problem: string }[] = []

  for (const w of wanted) {
    const current = runningByPool.get(w.pool)
    if ('problem' in w) {
      refused.push({ pool: w.pool, version: w.version, problem: w.problem })
      continue
    }
    const runs = w.settings.maxWorkers > 0
    if (!current) {
      if (runs) start.push({ pool: w.pool, version: w.version, settings: w.settings })
    } else if (!runs) stop.push(w.pool)
    // Scaling decisions and health reports move the version too: only changed settings matter.
    else if (JSON.stringify(current.settings) !== JSON.stringify(w.settings))
      reconfigure.push({
        pool: w.pool,
        version: w.version,
        settings: w.settings,
        replaceWorkers: processSettings(current.settings) !== processSettings(w.settings),
      })
  }
  for (const r of running) if (!wantedPools.has(r.pool)) stop.push(r.pool)
  return { start, reconfigure, stop, refused }
}
