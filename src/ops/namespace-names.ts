import { loadConfig, type Config } from '../config.ts'
import { AppError } from '../errors.ts'

/**
 * What one AgentFleet namespace is called in each store: the Kafka prefix of its topics,
 * consumer groups and registry subjects, its Postgres schema and its Redis key prefix.
 */
export type Namespace = Readonly<{ prefix: string; schema: string; redisPrefix: string }>

export const namespaceOfConfig = (config: Pick<Config, 'kafka' | 'postgres' | 'redis'>): Namespace => ({
  prefix: config.kafka.topicPrefix,
  schema: config.postgres.schema,
  redisPrefix: config.redis.prefix,
})

/** The namespace an unconfigured AgentFleet runs in (`agentfleet`, `public`, `af:`). */
export const defaultNamespace = (): Namespace => namespaceOfConfig(loadConfig({}))

/**
 * The namespace of a topic prefix. The configured one and the default one are known; any other
 * follows the convention tests and benchmarks use: `test-1a2b` → schema `test_1a2b`, Redis
 * `test:1a2b:`. `overrides` name a schema or Redis prefix that does not follow it.
 */
export function namespaceFor(
  prefix: string,
  config: Pick<Config, 'kafka' | 'postgres' | 'redis'>,
  overrides: Readonly<{ schema?: string; redisPrefix?: string }> = {},
): Namespace {
  const configured = namespaceOfConfig(config)
  const defaults = defaultNamespace()
  const known = prefix === configured.prefix ? configured : prefix === defaults.prefix ? defaults : undefined
  return {
    prefix,
    schema: overrides.schema ?? known?.schema ?? schemaByConvention(prefix),
    redisPrefix: overrides.redisPrefix ?? known?.redisPrefix ?? `${prefix.replace(/[-.]/g, ':')}:`,
  }
}

const schemaByConvention = (prefix: string): string => {
  const s = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')
  return /^[a-z_]/.test(s) ? s : `_${s}`
}

/** Schemas a namespace drop never removes: they hold more than one namespace's tables. */
export const isSharedSchema = (schema: string): boolean =>
  schema === 'public' || schema === 'information_schema' || schema.startsWith('pg_')

/**
 * Refuses what must not be dropped by accident: the namespace this process is configured for
 * and the default one (production runs there) need `force`; an empty prefix or Redis prefix would
 * match everything, and is refused always.
 */
export function assertDroppable(ns: Namespace, config: Pick<Config, 'kafka' | 'postgres' | 'redis'>, force: boolean): void {
  if (!/^[a-zA-Z0-9._-]+$/.test(ns.prefix)) throw new AppError('namespace.bad-prefix', `not a topic prefix: "${ns.prefix}"`)
  if (ns.redisPrefix.length === 0) throw new AppError('namespace.bad-redis-prefix', 'an empty Redis prefix would match every key')
  if (force) return
  if (ns.prefix === config.kafka.topicPrefix)
    throw new AppError(
      'namespace.configured',
      `${ns.prefix} is the namespace AGENTFLEET_TOPIC_PREFIX points at (this deployment's own); pass --force to drop it anyway`,
    )
  if (ns.prefix === defaultNamespace().prefix)
    throw new AppError('namespace.default', `${ns.prefix} is the default namespace; pass --force to drop it anyway`)
}

/** The event and dispatch topic shapes: `<prefix>.<aggregate>.events`, `<prefix>.dispatch.<pool>.<lane|dlq>`. */
export type TopicKind = 'event' | 'dispatch'

export function parseTopic(topic: string, aggregates: readonly string[]): { prefix: string; kind: TopicKind } | undefined {
  const event = /^(.+)\.([a-z0-9_]+)\.events$/.exec(topic)
  if (event && aggregates.includes(event[2]!)) return { prefix: event[1]!, kind: 'event' }
  const dispatch = /^(.+)\.dispatch\.[A-Za-z0-9_-]+\.(critical|high|normal|low|dlq)$/.exec(topic)
  if (dispatch) return { prefix: dispatch[1]!, kind: 'dispatch' }
  return undefined
}

/** TopicRecordNameStrategy subjects are `<topic>-<record full name>`; Avro names hold no `-`. */
export const topicOfSubject = (subject: string): string | undefined => {
  const i = subject.lastIndexOf('-')
  return i > 0 ? subject.slice(0, i) : undefined
}

/**
 * The names (topics, groups, subjects, Redis keys) that belong to `prefix` among `names`: they
 * start with `prefix` + `separator`, and not with that of a longer namespace nested in it
 * (`a.b` inside `a`, or Redis `test:1a2b:` inside `test:`), which is another namespace's.
 */
export function ownedNames(prefix: string, names: Iterable<string>, others: Iterable<string>, separator = '.'): string[] {
  const mine = `${prefix}${separator}`
  const nested = [...others].map((o) => `${o}${separator}`).filter((o) => o !== mine && o.startsWith(mine))
  return [...names].filter((n) => n.startsWith(mine) && !nested.some((o) => n.startsWith(o)))
}

/** Redis keys under a prefix, minus those of nested namespaces (prefixes end with their own separator). */
export const ownedKeys = (redisPrefix: string, keys: readonly string[], otherRedisPrefixes: Iterable<string>): string[] => {
  const nested = [...otherRedisPrefixes].filter((o) => o !== redisPrefix && o.startsWith(redisPrefix))
  return keys.filter((k) => k.startsWith(redisPrefix) && !nested.some((o) => k.startsWith(o)))
}

/** A Redis SCAN MATCH pattern for keys starting with `prefix` (glob characters escaped). */
export const redisPrefixPattern = (prefix: string): string => `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`
