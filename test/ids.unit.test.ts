import { describe, expect, it } from 'vitest'
import { idFromKey, newId } from '../src/infra/ids.ts'

describe('ids', () => {
  it('newId gives increasing ULIDs within a process', () => {
    const ids = Array.from({ length: 1_000 }, () => newId())
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true)
    expect([...ids].sort()).toEqual(ids)
  })

  it('idFromKey gives the same ULID-shaped id for the same parts, another for any other', () => {
    const a = idFromKey('POST /api/v1/tasks', 'key-1', 'aggregate')
    expect(a).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/)
    expect(idFromKey('POST /api/v1/tasks', 'key-1', 'aggregate')).toBe(a)
    expect(idFromKey('POST /api/v1/tasks', 'key-2', 'aggregate')).not.toBe(a)
    expect(idFromKey('POST /api/v1/tasks', 'key-1', 'command')).not.toBe(a)
    expect(idFromKey('POST /api/v1/projects', 'key-1', 'aggregate')).not.toBe(a)
  })
})
