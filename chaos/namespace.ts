import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { loadConfig } from '../src/config.ts'

/**
 * The names a chaos run owns, after the tests' convention (`chaos-1a2b3c` → schema `chaos_1a2b3c`,
 * Redis `chaos:1a2b3c:`), and the environment every role of the run gets. Postgres and Redis
 * connections carry the run's tag as their application_name / client name, so the infra faults
 * can cut exactly this run's connections on the shared servers.
 */
export type ChaosNamespace = Readonly<{
  id: string
  prefix: string
  schema: string
  redisPrefix: string
  port: number
  /** application_name and Redis client name of the roles' connections */
  tag: string
  /** the environment of every role process */
  env: Readonly<Record<string, string>>
  /** the same namespace for the suite's own connections, tagged differently so no fault cuts them */
  driverEnv: Readonly<Record<string, string>>
}>

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })

const withParam = (url: string, name: string, value: string): string => {
  const u = new URL(url)
  u.searchParams.set(name, value)
  return u.toString()
}

/**
 * Timings shortened so that a crash's consequences (a lapsed run lease, a retry, a drain) play
 * out within the run; everything else is the product's default.
 */
export const tunedSettings: Readonly<Record<string, string>> = {
  AGENTFLEET_WORKER_LEASE_MS: '6000',
  AGENTFLEET_QUEUE_LEASE_MS: '6000',
  AGENTFLEET_REAPER_INTERVAL_MS: '500',
  AGENTFLEET_RETRY_BASE_MS: '500',
  AGENTFLEET_RETRY_MAX_MS: '5000',
  AGENTFLEET_RETRY_POLL_MS: '1000',
  AGENTFLEET_WORKER_SHUTDOWN_MS: '15000',
  AGENTFLEET_TOPIC_PARTITIONS: '6',
  AGENTFLEET_DISPATCH_PARTITIONS: '6',
}

export async function createChaosNamespace(brokers: string): Promise<ChaosNamespace> {
  const id = randomBytes(3).toString('hex')
  const prefix = `chaos-${id}`
  const port = await freePort()
  const shared = loadConfig()
  const tag = prefix
  const common = {
    AGENTFLEET_TOPIC_PREFIX: prefix,
    AGENTFLEET_DATABASE_SCHEMA: `chaos_${id}`,
    AGENTFLEET_REDIS_PREFIX: `chaos:${id}:`,
    AGENTFLEET_HTTP_PORT: String(port),
    AGENTFLEET_KAFKA_BROKERS: brokers,
    AGENTFLEET_LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
    ...tunedSettings,
  }
  const tagged = (name: string) => ({
    AGENTFLEET_DATABASE_URL: withParam(shared.postgres.url, 'application_name', name),
    AGENTFLEET_REDIS_URL: withParam(shared.redis.url, 'connectionName', name),
  })
  return {
    id,
    prefix,
    schema: common.AGENTFLEET_DATABASE_SCHEMA,
    redisPrefix: common.AGENTFLEET_REDIS_PREFIX,
    port,
    tag,
    env: { ...common, ...tagged(tag) },
    driverEnv: { ...common, ...tagged(`${tag}-driver`) },
  }
}
