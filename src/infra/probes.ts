import type { Admin } from 'kafkajs'
import { sql } from 'kysely'
import type { Redis } from 'ioredis'
import type { Db } from './postgres.ts'
import type { ServiceName } from './service-hints.ts'

export type ProbeResult = Readonly<{ service: ServiceName; ok: boolean; latencyMs: number; error?: string }>

const timed = async (service: ServiceName, check: () => Promise<unknown>, timeoutMs: number): Promise<ProbeResult> => {
  const started = performance.now()
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ])
    return { service, ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 }
  } catch (error) {
    return { service, ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message }
  }
}

export type Probes = Readonly<Record<ServiceName, () => Promise<ProbeResult>>>

/** One cheap round trip to each dependency. */
export function createProbes(deps: { admin: Admin; registryUrl: string; db: Db; redis: Redis; timeoutMs?: number }): Probes {
  const t = deps.timeoutMs ?? 2_000
  return {
    kafka: () => timed('kafka', () => deps.admin.describeCluster(), t),
    registry: () =>
      timed(
        'registry',
        async () => {
          // `/config` is constant-time; `/subjects` lists every subject and slows down as they accumulate.
          const res = await fetch(`${deps.registryUrl}/config`, { signal: AbortSignal.timeout(t) })
          if (!res.ok) throw new Error(`HTTP ${res.status}`)
        },
        t,
      ),
    postgres: () => timed('postgres', () => sql`select 1`.execute(deps.db), t),
    redis: () => timed('redis', () => deps.redis.ping(), t),
  }
}

export const probeAll = async (probes: Probes): Promise<ProbeResult[]> =>
  Promise.all((Object.keys(probes) as ServiceName[]).map((s) => probes[s]()))
