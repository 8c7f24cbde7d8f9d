import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'
import { redisScript } from '../infra/redis-script.ts'
import { createCoalescer } from './coalescer.ts'

const lua = (name: string): string => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8')

/** What the store keeps of an aggregate in Redis: a cache of the log (losing it loses nothing). */
export type AggregateRecord = Readonly<{ version: number; state: string | undefined; offset: number | undefined }>

export type BeginOutcome =
  /** the slot is ours until the deadline; `record` is set when the caller's version was not current */
  | Readonly<{ kind: 'taken'; token: string; version: number; record?: AggregateRecord }>
  | Readonly<{ kind: 'busy'; waitMs: number }>
  /** a writer's deadline passed without commit or abort: reconcile from the log, then begin again */
  | Readonly<{ kind: 'in-doubt'; staleToken: string; record: AggregateRecord }>

type RawRecord = [number, string | null, string | null]

const recordOf = (version: number, state: string | null, offset: string | null): AggregateRecord => ({
  version,
  state: state ?? undefined,
  offset: offset === null ? undefined : Number(offset),
})

/**
 * The Redis side of the append path. Every call is group-committed: concurrent requests of one
 * process share one script call over many keys (one round trip for the write slots of a whole
 * batch of commands, one for their commits).
 */
export function createAggregateRecords(deps: { redis: Redis; prefix: string; budgetMs: number; ttlMs: number }) {
  const { redis, budgetMs, ttlMs } = deps
  const keyOf = (stream: string) => `${deps.prefix}agg:${stream}`
  const fence = `${deps.prefix}fence`
  const scripts = {
    begin: redisScript(redis, lua('begin')),
    commit: redisScript(redis, lua('commit')),
    abort: redisScript(redis, lua('abort')),
    reconcile: redisScript(redis, lua('reconcile')),
    seed: redisScript(redis, lua('seed')),
  }

  const begin = createCoalescer<{ stream: string; heldVersion: number }, BeginOutcome>(async (items) => {
    const raw = (await scripts.begin(
      [fence, ...items.map((i) => keyOf(i.stream))],
      [budgetMs, ...items.map((i) => i.heldVersion)],
    )) as unknown[][]
    return raw.map((r): BeginOutcome => {
      if (r[0] === 1) {
        const [, token, version, state, offset] = r as [number, number, number, string | null | undefined, string | null | undefined]
        return state === undefined
          ? { kind: 'taken', token: String(token), version }
          : { kind: 'taken', token: String(token), version, record: recordOf(version, state ?? null, offset ?? null) }
      }
      if (r[0] === 2) return { kind: 'busy', waitMs: Number(r[1]) }
      const [, staleToken, ...rest] = r as [number, string, ...RawRecord]
      return { kind: 'in-doubt', staleToken: String(staleToken), record: recordOf(...rest) }
    })
  })
  const commit = createCoalescer<{ stream: string; token: string; version: number; state: string; offset: number }, boolean>(
    async (items) => {
      const out = (await scripts.commit(
        items.map((i) => keyOf(i.stream)),
        [ttlMs, ...items.flatMap((i) => [i.token, i.version, i.state, i.offset])],
      )) as number[]
      return out.map((r) => r === 1)
    },
  )
  const abort = createCoalescer<{ stream: string; token: string }, boolean>(async (items) => {
    const out = (await scripts.abort(
      items.map((i) => keyOf(i.stream)),
      [ttlMs, ...items.map((i) => i.token)],
    )) as number[]
    return out.map((r) => r === 1)
  })
  const seed = createCoalescer<{ stream: string; version: number; state: string; offset: number }, boolean>(async (items) => {
    const out = (await scripts.seed(
      items.map((i) => keyOf(i.stream)),
      [ttlMs, ...items.flatMap((i) => [i.version, i.state, i.offset])],
    )) as number[]
    return out.map((r) => r === 1)
  })

  return {
    /** Takes the write slot (until now + budget); `heldVersion` is the version the caller has in memory (-1: none). */
    begin: (stream: string, heldVersion: number) => begin({ stream, heldVersion }),
    /** The append landed: stores the new state and frees the slot; false when the token no longer matches. */
    commit: (stream: string, token: string, version: number, state: string, offset: number) =>
      commit({ stream, token, version, state, offset }),
    /** Nothing was appended: frees the slot. */
    abort: (stream: string, token: string) => abort({ stream, token }),
    /** The state of a brand-new aggregate; never overwrites. */
    seed: (stream: string, version: number, state: string, offset: number) => seed({ stream, version, state, offset }),
    /** After folding the log past an in-doubt append: stores the state and clears the stale slot. */
    async reconcile(stream: string, staleToken: string, record: { version: number; state: string; offset: number }): Promise<boolean> {
      return (await scripts.reconcile([keyOf(stream)], [staleToken, record.version, record.state, record.offset, ttlMs])) === 1
    },
    /** Test and repair hook: drops a record (the next writer reloads from the log). */
    async forget(stream: string): Promise<void> {
      await redis.del(keyOf(stream))
    },
  }
}

export type AggregateRecords = ReturnType<typeof createAggregateRecords>
