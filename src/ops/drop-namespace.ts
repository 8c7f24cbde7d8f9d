import type { Admin, GroupDescription, Kafka } from 'kafkajs'
import { sql } from 'kysely'
import { dropSchema } from '../database/ddl-lock.ts'
import { eventTypesByAggregate } from '../events/generated/event-types.ts'
import { eventTopic, subjectName } from '../events/topics.ts'
import type { Services } from '../infra/services.ts'
import {
  isSharedSchema,
  namespaceFor,
  namespaceOfConfig,
  ownedKeys,
  ownedNames,
  parseTopic,
  redisPrefixPattern,
  topicOfSubject,
  type Namespace,
} from './namespace-names.ts'
import { deleteSubject, listSubjects } from './registry-subjects.ts'

export type NamespaceServices = Pick<Services, 'config' | 'logger' | 'kafka' | 'db' | 'redis' | 'schemas'>

/**
 * Runs `work` with an admin client of its own. A long-lived one remembers every topic it was
 * asked about and refreshes their metadata before most calls, which fails once another process
 * deleted them — exactly what happens around a namespace drop.
 */
export async function withOwnAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await work(admin)
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}

/** Everything a namespace owns, found before anything is removed. */
export type NamespacePlan = Readonly<{
  namespace: Namespace
  topics: readonly string[]
  groups: readonly string[]
  /** groups with members: a process of the namespace is still running */
  activeGroups: readonly string[]
  /** subjects listed under the prefix, and those its topics' records would have (the listing may be partial) */
  subjects: readonly string[]
  subjectListingPartial: boolean
  schema: Readonly<{ name: string; exists: boolean; shared: boolean }>
  /** Redis prefixes of other namespaces nested in this one's: their keys are left alone */
  redisKept: readonly string[]
}>

export type DropStep = 'topics' | 'groups' | 'subjects' | 'schema' | 'redis'

export type DropReport = Readonly<{
  namespace: Namespace
  topics: number
  groups: number
  /** subjects that existed and were deleted (soft, then permanently) */
  subjects: number
  schema: 'dropped' | 'absent' | 'kept'
  redisKeys: number
  /** what could not be removed, one line each */
  failures: readonly string[]
}>

const aggregates = Object.keys(eventTypesByAggregate)

/** Namespaces visible in Kafka topics and registry subjects, by prefix. */
function prefixesIn(topics: readonly string[], subjects: readonly string[]): Set<string> {
  const prefixes = new Set<string>()
  for (const t of [...topics, ...subjects.map((s) => topicOfSubject(s) ?? '')]) {
    const parsed = parseTopic(t, aggregates)
    if (parsed) prefixes.add(parsed.prefix)
  }
  return prefixes
}

async function listedSubjects(s: NamespaceServices): Promise<{ subjects: string[]; partial: boolean }> {
  try {
    const listing = await listSubjects(s.config.registryUrl)
    return { subjects: [...listing.subjects], partial: listing.mayBeCapped }
  } catch (error) {
    s.logger.warn({ err: error }, 'could not list registry subjects; deleting the computed ones only')
    return { subjects: [], partial: true }
  }
}

/** The subjects a namespace's topics would carry: every event record on its event topics, the dispatch records on its dispatch topics. */
function computedSubjects(s: NamespaceServices, prefix: string, topics: readonly string[]): string[] {
  const out: string[] = []
  for (const e of s.schemas.events) out.push(subjectName(eventTopic(prefix, e.aggregate), e.fullName))
  for (const t of topics)
    if (parseTopic(t, aggregates)?.kind === 'dispatch') for (const r of s.schemas.records ?? []) out.push(subjectName(t, r.fullName))
  return out
}

/** Finds what `ns` owns in Kafka, the registry, Postgres and Redis; removes nothing. */
export function planNamespaceDrop(s: NamespaceServices, ns: Namespace = namespaceOfConfig(s.config)): Promise<NamespacePlan> {
  return withOwnAdmin(s.kafka, (admin) => plan(s, admin, ns))
}

async function plan(s: NamespaceServices, admin: Admin, ns: Namespace): Promise<NamespacePlan> {
  const [allTopics, { groups: allGroups }, listing, schemaRows] = await Promise.all([
    admin.listTopics(),
    admin.listGroups(),
    listedSubjects(s),
    sql<{ n: number }>`select count(*)::int as n from information_schema.schemata where schema_name = ${ns.schema}`.execute(s.db),
  ])
  const others = prefixesIn(allTopics, listing.subjects)
  others.delete(ns.prefix)
  const topics = ownedNames(ns.prefix, allTopics, others).sort()
  const groups = ownedNames(
    ns.prefix,
    allGroups.map((g) => g.groupId),
    others,
  ).sort()
  const described: GroupDescription[] = groups.length > 0 ? (await admin.describeGroups(groups)).groups : []
  const subjects = [...new Set([...ownedNames(ns.prefix, listing.subjects, others), ...computedSubjects(s, ns.prefix, topics)])].sort()
  const redisKept = [...others]
    .map((p) => namespaceFor(p, s.config).redisPrefix)
    .filter((r) => r !== ns.redisPrefix && r.startsWith(ns.redisPrefix))
  return {
    namespace: ns,
    topics,
    groups,
    activeGroups: described.filter((g) => g.members.length > 0).map((g) => g.groupId),
    subjects,
    subjectListingPartial: listing.partial,
    schema: { name: ns.schema, exists: (schemaRows.rows[0]?.n ?? 0) > 0, shared: isSharedSchema(ns.schema) },
    redisKept,
  }
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function eachLimited<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane))
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Deletes the topics, then the consumer groups (a group with members stays, and is reported). */
async function dropKafkaParts(
  admin: Admin,
  plan: NamespacePlan,
  failures: string[],
  onProgress?: (step: DropStep, done: number, total: number) => void,
): Promise<{ topics: number; groups: number }> {
  let topics = 0
  if (plan.topics.length > 0) {
    try {
      await admin.deleteTopics({ topics: [...plan.topics] })
      topics = plan.topics.length
    } catch (error) {
      failures.push(`topics: ${messageOf(error)}`)
    }
  }
  onProgress?.('topics', topics, plan.topics.length)

  let groups = 0
  if (plan.groups.length > 0) {
    try {
      await admin.deleteGroups([...plan.groups])
      groups = plan.groups.length
    } catch (error) {
      // kafkajs lists the groups it could not delete (e.g. still with members).
      const failed = (error as { groups?: { groupId: string; error?: unknown }[] }).groups?.filter((g) => g.error) ?? []
      groups = failed.length > 0 ? plan.groups.length - failed.length : 0
      for (const g of failed) failures.push(`group ${g.groupId}: ${messageOf(g.error)}`)
      if (failed.length === 0) failures.push(`groups: ${messageOf(error)}`)
    }
  }
  onProgress?.('groups', groups, plan.groups.length)
  return { topics, groups }
}

/**
 * Removes what the plan found: topics, consumer groups, registry subjects (soft, then
 * permanently), the Postgres schema (never a shared one such as `public`) and the Redis keys.
 * A failure of one part is reported and does not stop the others.
 */
export async function executeNamespaceDrop(
  s: NamespaceServices,
  plan: NamespacePlan,
  onProgress?: (step: DropStep, done: number, total: number) => void,
): Promise<DropReport> {
  const failures: string[] = []
  const ns = plan.namespace

  const { topics, groups } = await withOwnAdmin(s.kafka, (admin) => dropKafkaParts(admin, plan, failures, onProgress))

  let subjects = 0
  let done = 0
  await eachLimited(plan.subjects, 8, async (subject) => {
    try {
      if ((await deleteSubject(s.config.registryUrl, subject)) === 'deleted') subjects++
    } catch (error) {
      failures.push(`subject ${subject}: ${messageOf(error)}`)
    }
    onProgress?.('subjects', ++done, plan.subjects.length)
  })

  let schema: DropReport['schema'] = plan.schema.exists ? 'dropped' : 'absent'
  if (plan.schema.shared) schema = 'kept'
  else if (plan.schema.exists) {
    try {
      await dropSchema(s.db, plan.schema.name)
    } catch (error) {
      schema = 'kept'
      failures.push(`schema ${plan.schema.name}: ${messageOf(error)}`)
    }
  }
  onProgress?.('schema', schema === 'dropped' ? 1 : 0, plan.schema.exists ? 1 : 0)

  // SCAN in pages (KEYS blocks Redis), UNLINK in chunks (a spread of 100,000 keys overflows the stack).
  let redisKeys = 0
  try {
    let cursor = '0'
    do {
      const [next, keys] = await s.redis.scan(cursor, 'MATCH', redisPrefixPattern(ns.redisPrefix), 'COUNT', 1_000)
      cursor = next
      const mine = ownedKeys(ns.redisPrefix, keys, plan.redisKept)
      if (mine.length > 0) redisKeys += await s.redis.unlink(...mine)
      onProgress?.('redis', redisKeys, redisKeys)
    } while (cursor !== '0')
  } catch (error) {
    failures.push(`redis: ${messageOf(error)}`)
  }

  return { namespace: ns, topics, groups, subjects, schema, redisKeys, failures }
}

/**
 * Removes everything one AgentFleet namespace owns: its topics, consumer groups, registry
 * subjects, Postgres schema and Redis keys — by default the namespace `services` are configured
 * for (tests and benchmarks each run in a namespace of their own and drop it at the end).
 * Failures are logged and reported, not thrown.
 */
export async function dropNamespace(
  services: NamespaceServices,
  ns: Namespace = namespaceOfConfig(services.config),
  onProgress?: (step: DropStep, done: number, total: number) => void,
): Promise<DropReport> {
  const report = await executeNamespaceDrop(services, await planNamespaceDrop(services, ns), onProgress)
  if (report.failures.length > 0) services.logger.warn({ failures: report.failures }, `namespace ${ns.prefix} not fully dropped`)
  return report
}
