import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'
import { AppError } from '../errors.ts'
import { redisScript } from '../infra/redis-script.ts'

export type CommandIds = Readonly<{ commandId: string; aggregateId: string }>

type IdemRecord = {
  state: 'pending' | 'unknown' | 'done'
  fingerprint: string
  ids: CommandIds
  pendingUntil: number
  status?: number
  body?: string
}

export type IdempotentOutcome = Readonly<{ status: number; body: string }>

/** A pending attempt older than this is treated as one whose outcome is unknown (its process died). */
const pendingMs = 30_000

/**
 * Idempotency-Key: the first result is stored and replayed for repeats. An attempt whose outcome
 * is unknown (timeout) keeps its command and aggregate ids, so the retry re-issues the very same
 * command and the decider recognises it.
 */
export function createIdempotencyStore(deps: { redis: Redis; prefix: string; ttlS: number; clock: () => number }) {
  const begin = redisScript(deps.redis, readFileSync(new URL('./lua/idempotency-begin.lua', import.meta.url), 'utf8'))
  const keyOf = (scope: string, key: string) => `${deps.prefix}idem:${scope}:${key}`

  return {
    async run(
      scope: string,
      key: string,
      fingerprintSource: string,
      newIds: () => CommandIds,
      work: (ids: CommandIds, isRetry: boolean) => Promise<IdempotentOutcome>,
    ): Promise<IdempotentOutcome & { replayed: boolean }> {
      const k = keyOf(scope, key)
      const fingerprint = createHash('sha256').update(fingerprintSource).digest('base64url')
      const fresh: IdemRecord = { state: 'pending', fingerprint, ids: newIds(), pendingUntil: deps.clock() + pendingMs }
      const [kind, raw] = (await begin([k], [JSON.stringify(fresh), deps.ttlS, fingerprint, deps.clock()])) as [string, string]
      const record = JSON.parse(raw) as IdemRecord
      if (kind === 'existing') {
        if (record.fingerprint !== fingerprint)
          throw new AppError('idempotency.key-reused', 'this Idempotency-Key was used with a different request')
        if (record.state === 'done') return { status: record.status!, body: record.body!, replayed: true }
        throw new AppError('idempotency.in-progress', 'a request with this Idempotency-Key is still in progress; retry shortly', {
          retriable: true,
        })
      }
      try {
        const outcome = await work(record.ids, kind === 'retry')
        await deps.redis.set(k, JSON.stringify({ ...record, state: 'done', status: outcome.status, body: outcome.body }), 'EX', deps.ttlS)
        return { ...outcome, replayed: false }
      } catch (error) {
        const definite = error instanceof AppError && !error.retriable
        if (definite) await deps.redis.del(k)
        else await deps.redis.set(k, JSON.stringify({ ...record, state: 'unknown' }), 'EX', deps.ttlS)
        throw error
      }
    },
  }
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>
