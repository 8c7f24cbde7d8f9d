import type { PoolMode } from '../commands/pool/pool.state.ts'
import { AppError, DomainError } from '../errors.ts'
import type { Db } from '../infra/postgres.ts'
import { pollUntil } from '../infra/retry.ts'
import { getPool } from '../projections/pools/pools.queries.ts'

type Known = Readonly<{ mode: PoolMode; status: string; at: number }>

/**
 * Which pools take new work, from the pools read model. A task for a pool that does not exist, was
 * deleted or is draining is refused (404 / 409) instead of waiting forever for a worker group
 * nobody runs. A pool created a moment ago may not be projected yet, so a miss is awaited for the
 * read-your-writes window before refusing; what is found is reused for a second, so the check costs
 * task submission no query (a delete or drain is therefore seen within a second plus the
 * projector's lag).
 */
export function createPoolGate(deps: { db: Db; readWaitMs: number; ttlMs?: number; clock?: () => number }) {
  const ttl = deps.ttlMs ?? 1_000
  const clock = deps.clock ?? Date.now
  const known = new Map<string, Known>()

  const lookup = async (pool: string): Promise<Known | undefined> => {
    const hit = known.get(pool)
    if (hit && clock() - hit.at < ttl) return hit
    const row = await pollUntil(async () => (await getPool(deps.db, pool)) ?? undefined, {
      timeoutMs: hit ? 0 : deps.readWaitMs,
      minMs: 5,
      maxMs: 50,
    })
    if (!row) {
      known.delete(pool)
      return undefined
    }
    const found: Known = { mode: row.mode as PoolMode, status: row.status, at: clock() }
    if (known.size > 10_000) known.clear()
    known.set(pool, found)
    return found
  }

  /** The pool exists and is active: it takes new tasks. */
  const requireOpen = async (pool: string): Promise<Known> => {
    const found = await lookup(pool)
    if (!found)
      throw new AppError('pool.not-found', `no pool ${pool}; create it first with POST /api/v1/pools (mode workers or pull)`, {
        details: { pool },
      })
    if (found.status !== 'active')
      throw new DomainError('pool.draining', `pool ${pool} is ${found.status}; it takes no new tasks`, { details: { pool } })
    return found
  }

  return {
    requireOpen,
    /** The pool's tasks are claimed over HTTP (mode pull): claiming from a worker group's pool would race its workers. */
    async requirePull(pool: string): Promise<void> {
      const found = await lookup(pool)
      if (!found) throw new AppError('pool.not-found', `no pool ${pool}`, { details: { pool } })
      if (found.mode !== 'pull')
        throw new DomainError(
          'pool.not-pull',
          `pool ${pool} is run by its worker group (mode ${found.mode}); only pull pools are claimed over HTTP`,
          {
            details: { pool, mode: found.mode },
          },
        )
    },
  }
}

export type PoolGate = ReturnType<typeof createPoolGate>
