import { isEnum, isRecord, type AvroEnum, type AvroRecord, type AvroType } from './avro-schema.ts'
import type { SchemaSet } from './schema-files.ts'

/**
 * Generates src/events/generated/event-types.ts from schemas/ so that event types are
 * never written twice by hand. A unit test regenerates and compares.
 */
export function generateEventTypes(set: SchemaSet): string {
  const named = new Map<string, AvroRecord | AvroEnum>()
  const out: string[] = ['// Generated from schemas/*.avsc by `npm run codegen`. Do not edit by hand.', '/* eslint-disable */', '']

  const tsType = (t: AvroType): string => {
    if (typeof t === 'string') return primitive(t) ?? shortName(t)
    if (Array.isArray(t)) return t.map(tsType).join(' | ')
    if (isRecord(t) || isEnum(t)) {
      named.set(t.name, t)
      return t.name
    }
    const o = t as { type: string; items?: AvroType; values?: AvroType }
    if (o.type === 'array' && o.items) return `readonly (${tsType(o.items)})[]`
    if (o.type === 'map' && o.values) return `Readonly<Record<string, ${tsType(o.values)}>>`
    return primitive(o.type) ?? 'unknown'
  }
  const fieldsOf = (r: AvroRecord, skipMeta: boolean): string =>
    r.fields
      .filter((f) => !(skipMeta && f.name === 'meta'))
      .map((f) => `  readonly ${f.name}: ${tsType(f.type)}`)
      .join('\n')

  const eventBlocks: string[] = []
  const unions = new Map<string, string[]>()
  for (const e of set.events) {
    eventBlocks.push(
      `/** Payload of ${e.fullName} (everything but meta). */\nexport type ${e.name}Data = {\n${fieldsOf(e.schema, true)}\n}`,
    )
    const list = unions.get(e.aggregate) ?? []
    list.push(e.name)
    unions.set(e.aggregate, list)
  }
  const recordBlocks = (set.records ?? []).map(
    (r) => `/** ${r.fullName} (not an event). */\nexport type ${r.name} = {\n${fieldsOf(r.schema, false)}\n}`,
  )
  // Named records/enums discovered while walking event fields (EventMeta, TaskPriority, ...).
  for (const e of set.events) tsType(e.schema.fields[0]!.type)
  const namedBlocks = [...named.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) =>
      isEnum(t)
        ? `export const ${t.name} = [${t.symbols.map((s) => `'${s}'`).join(', ')}] as const\nexport type ${t.name} = (typeof ${t.name})[number]`
        : `export type ${t.name} = {\n${fieldsOf(t, false)}\n}`,
    )
  out.push(...namedBlocks, '', ...eventBlocks, '', ...recordBlocks, ...(recordBlocks.length ? [''] : []))

  for (const [aggregate, names] of unions) {
    const u = typeName(aggregate)
    out.push(`export type ${u}Event =\n${names.map((n) => `  | { readonly type: '${n}'; readonly data: ${n}Data }`).join('\n')}`)
  }
  out.push(
    '',
    '/** Event type names by aggregate type; the aggregate type names the topic `<prefix>.<aggregate>.events`. */',
    `export const eventTypesByAggregate = {\n${[...unions].map(([a, n]) => `  '${a}': [${n.map((x) => `'${x}'`).join(', ')}],`).join('\n')}\n} as const`,
    '',
    'export type AggregateType = keyof typeof eventTypesByAggregate',
    `export type EventsByAggregate = {\n${[...unions.keys()].map((a) => `  '${a}': ${typeName(a)}Event`).join('\n')}\n}`,
    'export type DomainEvent = EventsByAggregate[AggregateType]',
    "export type EventType = DomainEvent['type']",
    '',
  )
  return out.join('\n')
}

const primitive = (t: string): string | undefined =>
  ({
    string: 'string',
    int: 'number',
    long: 'number',
    float: 'number',
    double: 'number',
    boolean: 'boolean',
    null: 'null',
    bytes: 'Uint8Array',
  })[t]

const shortName = (full: string): string => full.slice(full.lastIndexOf('.') + 1)
const typeName = (aggregate: string): string =>
  aggregate
    .split(/[-_]/)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('')
