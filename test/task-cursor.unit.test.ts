import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from '../src/projections/tasks/task-cursor.ts'

const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('task list cursors', () => {
  it('round-trips the keyset of each sort', () => {
    const created = { sort: 'createdAt', order: 'desc', keys: ['2026-01-01T00:00:00.000Z', 't1'] } as const
    const priority = { sort: 'priority', order: 'asc', keys: [2, '2026-01-01T00:00:00.000Z', 't1'] } as const
    expect(decodeCursor(encodeCursor(created), 'createdAt', 'desc')).toEqual(created)
    expect(decodeCursor(encodeCursor(priority), 'priority', 'asc')).toEqual(priority)
  })

  it('refuses a cursor of another sort or order, and malformed ones', () => {
    const c = encodeCursor({ sort: 'updatedAt', order: 'asc', keys: ['2026-01-01T00:00:00.000Z', 't1'] })
    expect(decodeCursor(c, 'updatedAt', 'desc')).toBeUndefined()
    expect(decodeCursor(c, 'createdAt', 'asc')).toBeUndefined()
    for (const bad of [
      'zzz',
      raw({}),
      raw(['createdAt', 'desc', 'not a date', 't1']),
      raw(['createdAt', 'desc', '2026-01-01T00:00:00Z']),
      raw(['createdAt', 'desc', '2026-01-01T00:00:00Z', 5]),
    ]) {
      expect(decodeCursor(bad, 'createdAt', 'desc'), bad).toBeUndefined()
    }
    expect(decodeCursor(raw(['priority', 'desc', 'x', '2026-01-01T00:00:00Z', 't1']), 'priority', 'desc')).toBeUndefined()
  })
})
