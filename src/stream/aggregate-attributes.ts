import type { StoredEvent } from '../events/envelope.ts'

/** What stream filters need to know about an aggregate that not every event carries. */
export type Attributes = Readonly<{ pool: string | null; projectId: string | null }>

const none: Attributes = { pool: null, projectId: null }

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)

/** Loads the attributes of aggregates the cache has not seen (e.g. created before this process started). */
export type AttributeLookup = (keys: readonly { aggregateType: string; aggregateId: string }[]) => Promise<ReadonlyMap<string, Attributes>>

export const attributeKey = (aggregateType: string, aggregateId: string): string => `${aggregateType}:${aggregateId}`

/**
 * A bounded per-aggregate cache of pool and project, learnt from the events themselves
 * (TaskCreated.pool and .projectId, TaskQueued.pool, …), so filtering never costs a query per event. Least recently
 * used entries are evicted first.
 */
export function createAttributeCache(maxEntries = 100_000) {
  const entries = new Map<string, Attributes>()

  const remember = (key: string, value: Attributes): Attributes => {
    entries.delete(key)
    entries.set(key, value)
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
    return value
  }

  return {
    /** Attributes after `event`: its own fields win over what was known. */
    learn(event: StoredEvent): Attributes {
      const key = attributeKey(event.aggregateType, event.meta.aggregateId)
      const known = entries.get(key)
      const data = event.data as Record<string, unknown>
      const pool = text(data.pool) ?? known?.pool ?? null
      const projectId =
        event.aggregateType === ('project' as string) ? event.meta.aggregateId : (text(data.projectId) ?? known?.projectId ?? null)
      if (!known && pool === null && projectId === null) return none
      return remember(key, { pool, projectId })
    },
    has: (key: string): boolean => entries.has(key),
    get: (key: string): Attributes => entries.get(key) ?? none,
    set: (key: string, value: Attributes): void => {
      remember(key, value)
    },
  }
}

export type AttributeCache = ReturnType<typeof createAttributeCache>

/**
 * An event that states both pool and project (TaskCreated, AgentRegistered) places its
 * aggregate on its own; one that carries only the pool (TaskQueued, TaskDeadLettered) does not.
 */
const placesItself = (e: StoredEvent): boolean => {
  const data = e.data as Record<string, unknown>
  return 'pool' in data && 'projectId' in data
}

/**
 * Learns a decoded batch in log order; aggregates neither the cache nor an earlier event of
 * the batch can place are looked up once, for the whole batch, only when some client filters
 * by pool or project.
 */
export async function attributesOf(
  cache: AttributeCache,
  events: readonly StoredEvent[],
  lookup: AttributeLookup | undefined,
): Promise<Attributes[]> {
  if (lookup) {
    const placed = new Set<string>()
    const missing = new Map<string, { aggregateType: string; aggregateId: string }>()
    for (const e of events) {
      const key = attributeKey(e.aggregateType, e.meta.aggregateId)
      if (placesItself(e)) placed.add(key)
      else if (!cache.has(key) && !placed.has(key)) missing.set(key, { aggregateType: e.aggregateType, aggregateId: e.meta.aggregateId })
    }
    if (missing.size > 0) {
      const found = await lookup([...missing.values()])
      for (const key of missing.keys()) cache.set(key, found.get(key) ?? none)
    }
  }
  return events.map((e) => cache.learn(e))
}
