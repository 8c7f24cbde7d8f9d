/** How a task list is ordered; every sort has a unique, stable keyset ending in the id. */
export const TaskSorts = ['createdAt', 'updatedAt', 'priority'] as const
export type TaskSort = (typeof TaskSorts)[number]
export type SortOrder = 'asc' | 'desc'

/** The keyset values of the last row of a page, for the given sort and order. */
export type Cursor = Readonly<{ sort: TaskSort; order: SortOrder; keys: readonly (string | number)[] }>

const keyCount: Readonly<Record<TaskSort, number>> = { createdAt: 2, updatedAt: 2, priority: 3 }

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.sort, c.order, ...c.keys])).toString('base64url')

/** Undefined when the cursor is malformed or was issued for another sort or order. */
export function decodeCursor(raw: string, sort: TaskSort, order: SortOrder): Cursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
    if (!Array.isArray(parsed)) return undefined
    const [s, o, ...keys] = parsed as unknown[]
    if (s !== sort || o !== order || keys.length !== keyCount[sort]) return undefined
    if (!keys.every((k) => typeof k === 'string' || typeof k === 'number')) return undefined
    const id = keys[keys.length - 1]
    if (typeof id !== 'string') return undefined
    const times = keys.filter((k): k is string => typeof k === 'string' && k !== id)
    if (times.some((t) => Number.isNaN(Date.parse(t)))) return undefined
    if (sort === 'priority' && typeof keys[0] !== 'number') return undefined
    return { sort, order, keys: keys as (string | number)[] }
  } catch {
    return undefined
  }
}
