import { sql } from 'kysely'
import { eventTypesByAggregate } from '../events/generated/event-types.ts'
import { namespaceFor, namespaceOfConfig, parseTopic, topicOfSubject } from './namespace-names.ts'
import { withOwnAdmin, type NamespaceServices } from './drop-namespace.ts'
import { listSubjects } from './registry-subjects.ts'

export type NamespaceSummary = Readonly<{
  prefix: string
  eventTopics: number
  dispatchTopics: number
  subjects: number
  groups: number
  /** the Postgres schema it maps to (see namespaceFor), and whether it exists */
  schema: string
  schemaExists: boolean
  /** the namespace this process is configured for */
  configured: boolean
}>

export type NamespaceListing = Readonly<{
  namespaces: readonly NamespaceSummary[]
  /** the registry's subject listing may be cut short (Apicurio lists at most 1000): subject counts are a lower bound */
  subjectListingPartial: boolean
}>

const aggregates = Object.keys(eventTypesByAggregate)

/**
 * The namespaces found among Kafka topics and registry subjects (a namespace whose topics are gone
 * but whose subjects remain shows with 0 topics), with what each holds.
 */
export async function listNamespaces(s: NamespaceServices): Promise<NamespaceListing> {
  const [[topics, { groups }], subjects, schemas] = await Promise.all([
    withOwnAdmin(s.kafka, (admin) => Promise.all([admin.listTopics(), admin.listGroups()])),
    listSubjects(s.config.registryUrl).catch(() => ({ subjects: [] as string[], mayBeCapped: true })),
    sql<{ schema_name: string }>`select schema_name from information_schema.schemata`.execute(s.db),
  ])
  const found = new Map<string, { eventTopics: number; dispatchTopics: number; subjects: number; groups: number }>()
  const entry = (prefix: string) => {
    let e = found.get(prefix)
    if (!e) {
      e = { eventTopics: 0, dispatchTopics: 0, subjects: 0, groups: 0 }
      found.set(prefix, e)
    }
    return e
  }
  for (const t of topics) {
    const parsed = parseTopic(t, aggregates)
    if (parsed?.kind === 'event') entry(parsed.prefix).eventTopics++
    else if (parsed?.kind === 'dispatch') entry(parsed.prefix).dispatchTopics++
  }
  for (const subject of subjects.subjects) {
    const parsed = parseTopic(topicOfSubject(subject) ?? '', aggregates)
    if (parsed) entry(parsed.prefix).subjects++
  }
  // A group belongs to the longest namespace prefix it starts with.
  const prefixes = [...found.keys()].sort((a, b) => b.length - a.length)
  for (const g of groups) {
    const owner = prefixes.find((p) => g.groupId.startsWith(`${p}.`))
    if (owner) entry(owner).groups++
  }
  const existing = new Set(schemas.rows.map((r) => r.schema_name))
  const configured = namespaceOfConfig(s.config).prefix
  const namespaces = [...found]
    .map(([prefix, e]) => {
      const schema = namespaceFor(prefix, s.config).schema
      return { prefix, ...e, schema, schemaExists: existing.has(schema), configured: prefix === configured }
    })
    .sort((a, b) => a.prefix.localeCompare(b.prefix))
  return { namespaces, subjectListingPartial: subjects.mayBeCapped }
}
