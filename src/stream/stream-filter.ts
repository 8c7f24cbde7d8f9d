import { ValidationError } from '../errors.ts'
import type { StoredEvent } from '../events/envelope.ts'
import type { Attributes } from './aggregate-attributes.ts'

export type StreamFilter = Readonly<{
  aggregateTypes?: ReadonlySet<string>
  aggregateId?: string
  pool?: string
  projectId?: string
  types?: ReadonlySet<string>
}>

export type FilterQuery = Readonly<{ aggregateType?: string; aggregateId?: string; pool?: string; projectId?: string; types?: string }>

const list = (value: string | undefined): string[] | undefined => {
  const items = value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return items && items.length > 0 ? items : undefined
}

/** Validates filter query parameters against the known aggregates and event types. */
export function parseFilter(query: FilterQuery, known: Readonly<Record<string, readonly string[]>>): StreamFilter {
  const aggregateTypes = list(query.aggregateType)
  const unknownAggregates = aggregateTypes?.filter((a) => !(a in known)) ?? []
  if (unknownAggregates.length)
    throw new ValidationError(`aggregateType: unknown ${unknownAggregates.join(', ')} (known: ${Object.keys(known).join(', ')})`)
  const allTypes = new Set(Object.values(known).flat())
  const types = list(query.types)
  const unknownTypes = types?.filter((t) => !allTypes.has(t)) ?? []
  if (unknownTypes.length) throw new ValidationError(`types: unknown event types ${unknownTypes.join(', ')}`)
  return {
    aggregateTypes: aggregateTypes && new Set(aggregateTypes),
    aggregateId: query.aggregateId || undefined,
    pool: query.pool || undefined,
    projectId: query.projectId || undefined,
    types: types && new Set(types),
  }
}

export const needsAttributes = (f: StreamFilter): boolean => f.pool !== undefined || f.projectId !== undefined

export function matches(f: StreamFilter, event: StoredEvent, attributes: Attributes): boolean {
  if (f.aggregateTypes && !f.aggregateTypes.has(event.aggregateType)) return false
  if (f.aggregateId !== undefined && event.meta.aggregateId !== f.aggregateId) return false
  if (f.types && !f.types.has(event.type)) return false
  if (f.pool !== undefined && attributes.pool !== f.pool) return false
  if (f.projectId !== undefined && attributes.projectId !== f.projectId) return false
  return true
}
