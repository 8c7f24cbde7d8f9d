import type { Config } from '../config.ts'
import { postgresProbe } from './databases.ts'
import { urlEndpoint } from './layout.ts'
import { redisPing } from './endpoint-probes.ts'

/** Postgres and Redis are prerequisites the stack checks but never starts. */
export type ServiceStatus = Readonly<{
  name: 'postgres' | 'redis'
  ok: boolean
  endpoint: string
  /** One line: what is wrong and the command that fixes it. */
  problem: string | undefined
}>

export const START_HINTS = {
  postgres: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  redis: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
} as const

const NOT_RUNNING = new Set(['connection refused', 'timed out', 'no answer'])

/** Not running → how to start it; running but refusing us (auth, wrong server) → which setting to check. */
export function serviceProblem(name: ServiceStatus['name'], endpoint: string, reason: string): string {
  const label = name === 'postgres' ? 'Postgres' : 'Redis'
  const setting = name === 'postgres' ? 'AGENTFLEET_DATABASE_URL' : 'AGENTFLEET_REDIS_URL'
  if (NOT_RUNNING.has(reason)) {
    return `${label} is not running at ${endpoint} (${reason}); start it with: ${START_HINTS[name]} (or set ${setting})`
  }
  return `${label} at ${endpoint} did not accept the connection (${reason}); check ${setting}`
}

export async function checkServices(config: Pick<Config, 'postgres' | 'redis'>): Promise<ServiceStatus[]> {
  const pgEnd = urlEndpoint(config.postgres.url, 5432)
  const redisEnd = urlEndpoint(config.redis.url, 6379)
  const [pgResult, redisResult] = await Promise.all([postgresProbe(config.postgres.url), redisPing(redisEnd)])
  const pgLabel = `${pgEnd.host}:${pgEnd.port}`
  const redisLabel = `${redisEnd.host}:${redisEnd.port}`
  return [
    {
      name: 'postgres',
      ok: pgResult.ok,
      endpoint: pgLabel,
      problem: pgResult.ok ? undefined : serviceProblem('postgres', pgLabel, pgResult.reason),
    },
    {
      name: 'redis',
      ok: redisResult.ok,
      endpoint: redisLabel,
      problem: redisResult.ok ? undefined : serviceProblem('redis', redisLabel, redisResult.reason),
    },
  ]
}
