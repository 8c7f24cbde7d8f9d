import type { Db } from '../infra/postgres.ts'
import type { Logger } from '../infra/logger.ts'
import { resolvePoolSettings, type PoolSettings } from './pool-settings.ts'
import { runnablePools, settingsOfRecord } from './pool-source.ts'
import { planPoolWatch, type RunningPool, type WantedPool } from './pool-watch-plan.ts'
import type { Supervisor } from './supervisor.ts'

export type PoolWatchDeps = Readonly<{
  db: Db
  supervisor: Supervisor
  /** one pool (`workers --pool P`), or every pool (`--all`, `dev`) */
  only: string | undefined
  /** settings-file entries and CLI flags: they override the pools read model */
  file: () => readonly PoolSettings[]
  overrides: Readonly<Record<string, unknown>>
  intervalMs: number
  logger: Logger
}>

const problemOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * Keeps a host's worker groups in step with the pools: every interval it reads the pools read
 * model (the projection of PoolCreated, PoolConfigUpdated, PoolDrainStarted, PoolDeleted), plans
 * with `planPoolWatch` and applies the plan. A pool named only by the settings file or the flags
 * runs at version 0; one the read model knew and no longer lists was deleted and stops.
 */
export function startPoolWatch(deps: PoolWatchDeps) {
  const log = deps.logger.child({ part: 'pool-watch' })
  const running = new Map<string, RunningPool>()
  const seen = new Set<string>()
  const told = new Map<string, number>()
  const toldPull = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  let pass: Promise<void> = Promise.resolve()

  const wanted = async (): Promise<WantedPool[]> => {
    const file = deps.file()
    const all = (await runnablePools(deps.db)).filter((r) => deps.only === undefined || r.name === deps.only)
    // Remote agents claim a pull pool's tasks over HTTP: no worker group runs it (one that ran stops).
    const pull = new Set(all.filter((r) => r.mode === 'pull').map((r) => r.name))
    for (const name of pull)
      if (!toldPull.has(name)) {
        toldPull.add(name)
        log.info({ pool: name }, 'pull pool: remote agents claim its tasks over HTTP, no worker group runs it')
      }
    const rows = all.filter((r) => !pull.has(r.name))
    for (const r of rows) seen.add(r.name)
    const names = new Set([...rows.map((r) => r.name), ...file.map((f) => f.pool).filter((p) => !pull.has(p))])
    if (deps.only !== undefined && !seen.has(deps.only) && !pull.has(deps.only)) names.add(deps.only)
    return [...names]
      .filter((name) => deps.only === undefined || name === deps.only)
      .map((pool): WantedPool => {
        const row = rows.find((r) => r.name === pool)
        const version = row?.version ?? 0
        try {
          return { pool, version, settings: resolvePoolSettings(pool, deps.overrides, file, row ? settingsOfRecord(row) : {}) }
        } catch (error) {
          return { pool, version, problem: problemOf(error) }
        }
      })
  }

  const look = async () => {
    const step = planPoolWatch([...running.values()], await wanted())
    for (const r of step.refused) {
      if (told.get(r.pool) === r.version) continue
      told.set(r.pool, r.version)
      log.error({ pool: r.pool, version: r.version, problem: r.problem }, "pool settings cannot be run; the pool's last good settings stay")
    }
    for (const name of step.stop) {
      running.delete(name)
      log.info({ pool: name }, 'pool gone or set to no workers: draining its worker group')
      await deps.supervisor.remove(name)
    }
    for (const r of step.reconfigure) {
      running.set(r.pool, r)
      deps.supervisor.reconfigure(r.settings, r.replaceWorkers)
    }
    for (const r of step.start) {
      if (stopped) return
      running.set(r.pool, r)
      await deps.supervisor.add(r.settings)
      log.info({ pool: r.pool, version: r.version }, 'worker group running')
    }
  }

  const loop = () => {
    pass = look()
      .catch((error: unknown) => log.warn({ err: error }, 'could not read the pools; trying again'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, deps.intervalMs)
      })
  }
  loop()
  return {
    /** The first look (tests and `workers --pool` wait for it). */
    firstLook: () => pass,
    async stop(): Promise<void> {
      stopped = true
      clearTimeout(timer)
      await pass
      await deps.supervisor.stop()
    },
  }
}
