import { z } from 'zod'

/** A consumer group as configured: a name and its members, `*` meaning every member no other group names. */
export type GroupSpec = Readonly<{ name: string; members: '*' | readonly string[] }>

/** `fast:tasks,snapshots;rest:*` → [{ name: 'fast', members: ['tasks', 'snapshots'] }, { name: 'rest', members: '*' }] */
export const parseGroupSpecs = (value: string): GroupSpec[] =>
  value
    .split(';')
    .map((g) => g.trim())
    .filter(Boolean)
    .map((g) => {
      const [name, list] = g.split(':').map((s) => s.trim()) as [string, string]
      return { name, members: list === '*' ? ('*' as const) : list.split(',').map((p) => p.trim()) }
    })

/** The syntax parseGroupSpecs reads, for config validation. */
export const groupSpecsPattern =
  /^\s*[a-z0-9_-]+\s*:\s*(\*|[a-z0-9_-]+(\s*,\s*[a-z0-9_-]+)*)\s*(;\s*[a-z0-9_-]+\s*:\s*(\*|[a-z0-9_-]+(\s*,\s*[a-z0-9_-]+)*)\s*)*;?\s*$/

/**
 * Every setting AgentFleet reads, with its environment variable and default.
 * `loadConfig` is the only place that reads `process.env`; everything else gets a `Config`.
 */
const port = z.coerce.number().int().min(0, '0 picks a free port').max(65535)
const positiveInt = z.coerce.number().int().positive()
const heap = z.string().regex(/^\d+[mMgG]$/, 'a JVM heap size such as 512m or 1g')

export const configSchema = z.object({
  AGENTFLEET_HTTP_HOST: z.string().default('127.0.0.1').describe('Address the API listens on'),
  AGENTFLEET_HTTP_PORT: port.default(8000).describe('Port the API listens on'),
  AGENTFLEET_HTTP_BODY_LIMIT: positiveInt.default(1_048_576).describe('Largest accepted request body, bytes'),
  AGENTFLEET_CORS_ORIGINS: z.string().default('*').describe('Comma-separated allowed CORS origins'),
  AGENTFLEET_KAFKA_BROKERS: z.string().default('127.0.0.1:9092').describe('Comma-separated Kafka bootstrap servers'),
  AGENTFLEET_REGISTRY_URL: z
    .url()
    .default('http://127.0.0.1:8081/apis/ccompat/v7')
    .describe('Confluent-compatible schema registry base URL'),
  AGENTFLEET_DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/agentfleet').describe('Postgres for read models'),
  AGENTFLEET_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('public')
    .describe('Postgres schema holding the read models'),
  AGENTFLEET_REDIS_URL: z.string().default('redis://127.0.0.1:6379').describe('Redis for leases, snapshots, idempotency keys'),
  AGENTFLEET_REDIS_PREFIX: z.string().default('af:').describe('Prefix of every Redis key'),
  AGENTFLEET_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/)
    .default('agentfleet')
    .describe('Prefix of every Kafka topic and consumer group'),
  AGENTFLEET_TOPIC_PARTITIONS: positiveInt.default(12).describe('Partitions of newly created event topics'),
  AGENTFLEET_SNAPSHOT_TTL_S: positiveInt
    .default(86_400)
    .describe("How long Redis keeps an idle aggregate's cached state (a cache of the log: a miss reads the log)"),
  AGENTFLEET_PRODUCE_TIMEOUT_MS: positiveInt
    .min(300)
    .default(3_000)
    .describe(
      "Append budget: a writer holds an aggregate's write slot this long and must start its send in the first third; a writer that dies mid-append delays that aggregate's next write by at most this",
    ),
  AGENTFLEET_IDEMPOTENCY_TTL_S: positiveInt.default(86_400).describe('How long Idempotency-Key results are kept'),
  AGENTFLEET_READ_WAIT_MS: positiveInt.default(2_000).describe('Longest a query waits for ?minVersion='),
  AGENTFLEET_HEARTBEAT_TIMEOUT_MS: positiveInt
    .default(30_000)
    .describe('An agent whose last heartbeat is older than this is marked offline'),
  AGENTFLEET_HEALTH_CHECK_INTERVAL_MS: positiveInt.default(5_000).describe('How often the health monitor looks for silent agents'),
  AGENTFLEET_POOL_DRAIN_INTERVAL_MS: positiveInt.default(2_000).describe('How often draining pools are checked for active tasks'),
  AGENTFLEET_HITL_EXPIRY_INTERVAL_MS: positiveInt.default(1_000).describe('How often pending HITL requests are checked for expiry'),
  AGENTFLEET_PROJECTOR_GROUPS: z
    .string()
    .regex(groupSpecsPattern, 'groups as name:projection,projection;name:* (one group may take the rest with *)')
    .default('main:*')
    .describe(
      'Projector groups: `name:projection,…` separated by `;`, `*` for every other projection. Each group is one consumer group and one transaction per fetch',
    ),
  AGENTFLEET_REACTOR_GROUPS: z
    .string()
    .regex(groupSpecsPattern, 'groups as name:reactor,reactor;name:* (one group may take the rest with *)')
    .default('main:*')
    .describe(
      'Reactor groups: `name:reactor,…` separated by `;`, `*` for every other reactor. Each group is one consumer group running its reactors on one decode',
    ),
  AGENTFLEET_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
  AGENTFLEET_STACK_DIR: z.string().default('.stack').describe('Where `stack up` keeps downloads, data, logs and pid files'),
  AGENTFLEET_KAFKA_VERSION: z.string().default('4.3.1').describe('Apache Kafka version fetched from Maven Central'),
  AGENTFLEET_KAFKA_CONTROLLER_PORT: port.default(9093).describe('KRaft controller port of the local broker'),
  AGENTFLEET_KAFKA_HEAP: heap.default('512m').describe('Heap of the local Kafka broker'),
  AGENTFLEET_REGISTRY_VERSION: z.string().default('3.3.3').describe('Apicurio Registry version fetched from Maven Central'),
  AGENTFLEET_REGISTRY_HEAP: heap.default('384m').describe('Heap of the local schema registry'),
  AGENTFLEET_REGISTRY_DATABASE: z
    .string()
    .default('agentfleet_registry')
    .describe('Postgres database where the local registry stores schemas'),
  AGENTFLEET_STREAM_HEARTBEAT_MS: positiveInt.default(15_000).describe('Interval of live-stream heartbeat comments'),
  AGENTFLEET_STREAM_BUFFER_EVENTS: positiveInt
    .default(1_000)
    .describe('Events buffered per live-stream client before it is told to reconnect (overflow)'),
  AGENTFLEET_STREAM_IDLE_MS: positiveInt
    .default(30_000)
    .describe('How long an API process keeps reading the log for the live stream after its last client left'),
  AGENTFLEET_STREAM_MAX_CATCHUPS: positiveInt.default(16).describe('Resuming live-stream clients reading history at once, per API process'),
  AGENTFLEET_METRICS_CACHE_MS: positiveInt.default(2_000).describe('How long lag and read-model gauges are reused between scrapes'),
  AGENTFLEET_METRICS_SNAPSHOT_INTERVAL_MS: positiveInt
    .min(100)
    .default(60_000)
    .describe('How often a system metrics snapshot is written to metrics_snapshots'),
  AGENTFLEET_METRICS_RETENTION_DAYS: positiveInt.default(30).describe('Metrics snapshots older than this many days are deleted'),
  AGENTFLEET_DISPATCH_PARTITIONS: positiveInt
    .default(12)
    .describe('Partitions of each newly created dispatch lane topic (caps the consumers of a pool)'),
  AGENTFLEET_WORKER_LEASE_MS: positiveInt
    .default(30_000)
    .describe('Run lease of a task in a worker; extended every third of it while the task runs'),
  AGENTFLEET_WORKER_SHUTDOWN_MS: positiveInt
    .default(30_000)
    .describe('Deadline of a graceful worker shutdown or drain; in-flight tasks are aborted after it'),
  AGENTFLEET_WORKER_HEARTBEAT_MS: positiveInt
    .min(100)
    .default(2_000)
    .describe('How often a worker process reports itself in worker_processes; a process silent for three of these is listed as gone'),
  AGENTFLEET_WORKER_RESTART_MS: positiveInt.default(500).describe('First restart delay of a crashed worker process; doubles up to 30 s'),
  AGENTFLEET_WORKERS_CONFIG: z
    .string()
    .optional()
    .describe('JSON file of pool settings for `agentfleet workers` ({"pools": {"name": {...}}})'),
  AGENTFLEET_JAVA_HOME: z.string().optional().describe('JDK (21+) for the local stack; found under /usr/lib/jvm when unset'),
  AGENTFLEET_QUEUE_LEASE_MS: positiveInt.default(30_000).describe('Default run lease of a task claimed over HTTP'),
  AGENTFLEET_QUEUE_MAX_WAIT_S: positiveInt.default(30).describe('Longest long-poll (`wait`) of a queue claim, seconds'),
  AGENTFLEET_REAPER_INTERVAL_MS: positiveInt.default(1_000).describe('How often the lease reaper looks for expired run leases'),
  AGENTFLEET_RETRY_BASE_MS: positiveInt
    .default(1_000)
    .describe('Backoff of the first retry (full jitter between base and the exponential ceiling)'),
  AGENTFLEET_RETRY_MAX_MS: positiveInt.default(60_000).describe('Largest retry backoff'),
  AGENTFLEET_RETRY_POLL_MS: positiveInt
    .default(5_000)
    .describe('Longest the retry scheduler sleeps without looking at the schedule (in case a wake-up was lost)'),
})

export type Env = z.infer<typeof configSchema>

export type Config = Readonly<{
  http: Readonly<{ host: string; port: number; bodyLimit: number; corsOrigins: readonly string[] }>
  kafka: Readonly<{ brokers: readonly string[]; topicPrefix: string; partitions: number }>
  registryUrl: string
  postgres: Readonly<{ url: string; schema: string }>
  redis: Readonly<{ url: string; prefix: string }>
  append: Readonly<{ produceTimeoutMs: number; snapshotTtlS: number; idempotencyTtlS: number }>
  readWaitMs: number
  projector: Readonly<{ groups: readonly GroupSpec[] }>
  reactors: Readonly<{ groups: readonly GroupSpec[] }>
  agents: Readonly<{ heartbeatTimeoutMs: number; healthCheckIntervalMs: number }>
  pools: Readonly<{ drainIntervalMs: number }>
  stream: Readonly<{ heartbeatMs: number; bufferEvents: number; maxCatchUps: number; idleMs: number }>
  metrics: Readonly<{ cacheMs: number; snapshotIntervalMs: number; retentionDays: number }>
  queue: Readonly<{ leaseMs: number; maxWaitS: number; reaperIntervalMs: number }>
  retry: Readonly<{ baseMs: number; maxMs: number; pollMs: number }>
  hitl: Readonly<{ expiryIntervalMs: number }>
  logLevel: Env['AGENTFLEET_LOG_LEVEL']
  workers: Readonly<{
    dispatchPartitions: number
    leaseMs: number
    shutdownMs: number
    restartMs: number
    heartbeatMs: number
    configFile: string | undefined
  }>
  stack: Readonly<{
    dir: string
    kafkaVersion: string
    kafkaControllerPort: number
    kafkaHeap: string
    registryVersion: string
    registryHeap: string
    registryDatabase: string
    javaHome: string | undefined
  }>
}>

export class ConfigError extends Error {
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

/** Validates the environment eagerly, listing every bad key at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`))
  }
  const e = parsed.data
  if (e.AGENTFLEET_RETRY_MAX_MS < e.AGENTFLEET_RETRY_BASE_MS)
    throw new ConfigError(['AGENTFLEET_RETRY_MAX_MS: must be at least AGENTFLEET_RETRY_BASE_MS'])
  return Object.freeze({
    http: {
      host: e.AGENTFLEET_HTTP_HOST,
      port: e.AGENTFLEET_HTTP_PORT,
      bodyLimit: e.AGENTFLEET_HTTP_BODY_LIMIT,
      corsOrigins: list(e.AGENTFLEET_CORS_ORIGINS),
    },
    kafka: { brokers: list(e.AGENTFLEET_KAFKA_BROKERS), topicPrefix: e.AGENTFLEET_TOPIC_PREFIX, partitions: e.AGENTFLEET_TOPIC_PARTITIONS },
    registryUrl: e.AGENTFLEET_REGISTRY_URL.replace(/\/+$/, ''),
    postgres: { url: e.AGENTFLEET_DATABASE_URL, schema: e.AGENTFLEET_DATABASE_SCHEMA },
    redis: { url: e.AGENTFLEET_REDIS_URL, prefix: e.AGENTFLEET_REDIS_PREFIX },
    append: {
      produceTimeoutMs: e.AGENTFLEET_PRODUCE_TIMEOUT_MS,
      snapshotTtlS: e.AGENTFLEET_SNAPSHOT_TTL_S,
      idempotencyTtlS: e.AGENTFLEET_IDEMPOTENCY_TTL_S,
    },
    readWaitMs: e.AGENTFLEET_READ_WAIT_MS,
    projector: { groups: parseGroupSpecs(e.AGENTFLEET_PROJECTOR_GROUPS) },
    reactors: { groups: parseGroupSpecs(e.AGENTFLEET_REACTOR_GROUPS) },
    agents: { heartbeatTimeoutMs: e.AGENTFLEET_HEARTBEAT_TIMEOUT_MS, healthCheckIntervalMs: e.AGENTFLEET_HEALTH_CHECK_INTERVAL_MS },
    pools: { drainIntervalMs: e.AGENTFLEET_POOL_DRAIN_INTERVAL_MS },
    stream: {
      heartbeatMs: e.AGENTFLEET_STREAM_HEARTBEAT_MS,
      bufferEvents: e.AGENTFLEET_STREAM_BUFFER_EVENTS,
      maxCatchUps: e.AGENTFLEET_STREAM_MAX_CATCHUPS,
      idleMs: e.AGENTFLEET_STREAM_IDLE_MS,
    },
    metrics: {
      cacheMs: e.AGENTFLEET_METRICS_CACHE_MS,
      snapshotIntervalMs: e.AGENTFLEET_METRICS_SNAPSHOT_INTERVAL_MS,
      retentionDays: e.AGENTFLEET_METRICS_RETENTION_DAYS,
    },
    queue: {
      leaseMs: e.AGENTFLEET_QUEUE_LEASE_MS,
      maxWaitS: e.AGENTFLEET_QUEUE_MAX_WAIT_S,
      reaperIntervalMs: e.AGENTFLEET_REAPER_INTERVAL_MS,
    },
    retry: { baseMs: e.AGENTFLEET_RETRY_BASE_MS, maxMs: e.AGENTFLEET_RETRY_MAX_MS, pollMs: e.AGENTFLEET_RETRY_POLL_MS },
    hitl: { expiryIntervalMs: e.AGENTFLEET_HITL_EXPIRY_INTERVAL_MS },
    logLevel: e.AGENTFLEET_LOG_LEVEL,
    workers: {
      dispatchPartitions: e.AGENTFLEET_DISPATCH_PARTITIONS,
      leaseMs: e.AGENTFLEET_WORKER_LEASE_MS,
      shutdownMs: e.AGENTFLEET_WORKER_SHUTDOWN_MS,
      restartMs: e.AGENTFLEET_WORKER_RESTART_MS,
      heartbeatMs: e.AGENTFLEET_WORKER_HEARTBEAT_MS,
      configFile: e.AGENTFLEET_WORKERS_CONFIG,
    },
    stack: {
      dir: e.AGENTFLEET_STACK_DIR,
      kafkaVersion: e.AGENTFLEET_KAFKA_VERSION,
      kafkaControllerPort: e.AGENTFLEET_KAFKA_CONTROLLER_PORT,
      kafkaHeap: e.AGENTFLEET_KAFKA_HEAP,
      registryVersion: e.AGENTFLEET_REGISTRY_VERSION,
      registryHeap: e.AGENTFLEET_REGISTRY_HEAP,
      registryDatabase: e.AGENTFLEET_REGISTRY_DATABASE,
      javaHome: e.AGENTFLEET_JAVA_HOME,
    },
  }) satisfies Config
}
