import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'
import { redisScript } from '../infra/redis-script.ts'

const lua = (name: string): string => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8')

export type Snapshot<S> = Readonly<{ version: number; state: S }>
export type Lease = Readonly<{ stream: string; token: string }>

/**
 * Single writer per aggregate: a short Redis lease with a fencing token, and the aggregate's
 * snapshot (state + version) stored beside it. Snapshots are a cache of the log.
 */
export function createAggregateLeases(deps: { redis: Redis; prefix: string; ttlMs: number }) {
  const { redis, prefix, ttlMs } = deps
  const leaseKey = (stream: string) => `${prefix}lease:${stream}`
  const snapshotKey = (stream: string) => `${prefix}snap:${stream}`
  const fenceKey = `${prefix}fence`
  const scripts = { acquire: redisScript(redis, lua('acquire')), commit: redisScript(redis, lua('commit')), release: redisScript(redis, lua('release')) }

  return {
    /** The lease and the current snapshot, or undefined when another writer holds it. */
    async tryAcquire<S>(stream: string): Promise<{ lease: Lease; snapshot: Snapshot<S> | undefined } | undefined> {
      const [token, raw] = (await scripts.acquire([leaseKey(stream), fenceKey, snapshotKey(stream)], [ttlMs])) as [number, string | null]
      if (!token) return undefined
      const parsed = raw ? (JSON.parse(raw) as { v: number; s: S }) : undefined
      return { lease: { stream, token: String(token) }, snapshot: parsed && { version: parsed.v, state: parsed.s } }
    },
    async isHeld(lease: Lease): Promise<boolean> {
      return (await redis.get(leaseKey(lease.stream))) === lease.token
    },
    /** Saves the snapshot and releases; false when the fencing token no longer matches. */
    async commit<S>(lease: Lease, snapshot: Snapshot<S>): Promise<boolean> {
      const json = JSON.stringify({ v: snapshot.version, s: snapshot.state })
      return (await scripts.commit([leaseKey(lease.stream), snapshotKey(lease.stream)], [lease.token, json])) === 1
    },
    async release(lease: Lease): Promise<void> {
      await scripts.release([leaseKey(lease.stream)], [lease.token])
    },
    /** Drops a snapshot that may be behind the log; the next writer reloads from the log. */
    async invalidate(stream: string): Promise<void> {
      await redis.del(snapshotKey(stream))
    },
    /** Repairs the cache from the log (snapshot projection); never overwrites a newer one. */
    async seed<S>(stream: string, snapshot: Snapshot<S>): Promise<void> {
      await redis.set(snapshotKey(stream), JSON.stringify({ v: snapshot.version, s: snapshot.state }), 'NX')
    },
  }
}

export type AggregateLeases = ReturnType<typeof createAggregateLeases>
