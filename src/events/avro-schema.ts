/** Minimal structural view of Avro schemas, enough to inline named types and generate TS types. */
export type AvroType =
  | string
  | readonly AvroType[]
  | {
      readonly type: 'record'
      readonly name: string
      readonly namespace?: string
      readonly doc?: string
      readonly fields: readonly AvroField[]
    }
  | { readonly type: 'enum'; readonly name: string; readonly namespace?: string; readonly symbols: readonly string[] }
  | { readonly type: 'array'; readonly items: AvroType }
  | { readonly type: 'map'; readonly values: AvroType }
  | { readonly type: string; readonly logicalType?: string }

export type AvroField = { readonly name: string; readonly type: AvroType; readonly default?: unknown; readonly doc?: string }
export type AvroRecord = Extract<AvroType, { type: 'record' }>
export type AvroEnum = Extract<AvroType, { type: 'enum' }>

export const fullName = (t: { name: string; namespace?: string }): string =>
  t.name.includes('.') || !t.namespace ? t.name : `${t.namespace}.${t.name}`

export const isRecord = (t: AvroType): t is AvroRecord =>
  typeof t === 'object' && !Array.isArray(t) && (t as { type: string }).type === 'record'
export const isEnum = (t: AvroType): t is AvroEnum => typeof t === 'object' && !Array.isArray(t) && (t as { type: string }).type === 'enum'

/**
 * Replaces references to shared named types (e.g. `agentfleet.EventMeta`) with their full
 * definition at first use, so every registered schema is self-contained: readers such as
 * kcat/libserdes do not resolve schema references.
 */
export function inlineNamedTypes(schema: AvroRecord, shared: ReadonlyMap<string, AvroType>): AvroRecord {
  const defined = new Set<string>()
  const visit = (t: AvroType, namespace: string | undefined): AvroType => {
    if (typeof t === 'string') {
      const name = t.includes('.') || !namespace ? t : `${namespace}.${t}`
      const target = shared.get(t) ?? shared.get(name)
      if (!target || defined.has(fullName(target as AvroRecord))) return t
      return visit(target, undefined)
    }
    if (Array.isArray(t)) return t.map((u) => visit(u, namespace))
    if (isRecord(t)) {
      defined.add(fullName(t))
      const ns = t.namespace ?? namespace
      return { ...t, fields: t.fields.map((f) => ({ ...f, type: visit(f.type, ns) })) }
    }
    if (isEnum(t)) {
      defined.add(fullName(t))
      return t
    }
    const o = t as { type: string; items?: AvroType; values?: AvroType }
    if (o.type === 'array' && o.items) return { ...o, items: visit(o.items, namespace) } as AvroType
    if (o.type === 'map' && o.values) return { ...o, values: visit(o.values, namespace) } as AvroType
    return t
  }
  return visit(schema, schema.namespace) as AvroRecord
}
