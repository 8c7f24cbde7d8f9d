import type { CommandHandler } from '../commands/handle-command.ts'
import { poolDecider } from '../commands/pool/pool.decider.ts'
import type { Db } from '../infra/postgres.ts'
import type { Logger } from '../infra/logger.ts'
import { countActiveTasks, drainingPools } from '../projections/pools/pools.queries.ts'
import type { IntervalLock } from './interval-lock.ts'
import { startLoop, type Loop } from './loop.ts'

export type PoolDrainerDeps = Readonly<{ execute: CommandHandler; db: Db; lock: IntervalLock; intervalMs: number; logger: Logger }>

/**
 * Finishes `DELETE /pools/:name?drain=true`: deletes each draining pool (RetirePool) once the
 * tasks read model shows none of its tasks active. RetirePool is a no-op while tasks are active
 * or once the pool is gone, so overlapping drainers are harmless.
 */
export function createPoolDrainer(deps: PoolDrainerDeps) {
  const log = deps.logger.child({ part: 'pool-drainer' })

  const check = async (): Promise<number> => {
    if (!(await deps.lock('pool-drainer', deps.intervalMs))) return 0
    let retired = 0
    for (const pool of await drainingPools(deps.db)) {
      const activeTasks = await countActiveTasks(deps.db, pool.name)
      if (activeTasks > 0) continue
      const ctx = {
        commandId: `pool-drainer:${pool.name}:${pool.version}`,
        correlationId: `pool-drainer:${pool.name}`,
        causationId: null,
        actor: 'pool-drainer',
      }
      const result = await deps.execute('pool', pool.name, poolDecider, { type: 'RetirePool', activeTasks }, ctx)
      if (result.events.length > 0) {
        retired++
        log.info({ pool: pool.name }, 'drained pool deleted')
      }
    }
    return retired
  }

  return { check, start: (): Loop => startLoop({ name: 'pool-drainer', intervalMs: deps.intervalMs, run: check, logger: log }) }
}
