import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../src/events/envelope.ts'
import { gateByVersion } from '../src/projections/version-gate.ts'

let offset = 0
const ev = (id: string, version: number, eventId = `${id}-v${version}`): StoredEvent =>
  ({
    type: 'TaskCancelled',
    data: { reason: null },
    aggregateType: 'task',
    meta: { eventId, aggregateId: id, version, occurredAt: 0, commandId: 'c', correlationId: 'c', causationId: null, actor: 't' },
    position: { topic: 't', partition: 0, offset: String(offset++) },
  }) as StoredEvent

const streamOf = (e: StoredEvent) => e.meta.aggregateId

describe('gateByVersion', () => {
  it('accepts contiguous versions per stream, in log order', () => {
    const r = gateByVersion([ev('a', 1), ev('b', 1), ev('a', 2), ev('a', 3)], streamOf, new Map())
    expect(r.accepted.map((x) => `${x.stream}@${x.event.meta.version}`)).toEqual(['a@1', 'b@1', 'a@2', 'a@3'])
    expect(r.versions.get('a')).toEqual({ version: 3, eventId: 'a-v3' })
    expect(r.conflicts).toEqual([])
  })

  it('skips redelivered events as duplicates', () => {
    const known = new Map([['a', { version: 2, eventId: 'a-v2' }]])
    const r = gateByVersion([ev('a', 1), ev('a', 2), ev('a', 3)], streamOf, known)
    expect(r.duplicates).toBe(2)
    expect(r.accepted.map((x) => x.event.meta.version)).toEqual([3])
  })

  it('reports a second event with an already applied version as a conflict, keeping the first', () => {
    const r = gateByVersion([ev('a', 1), ev('a', 1, 'other-writer'), ev('a', 2)], streamOf, new Map())
    expect(r.accepted.map((x) => x.event.meta.eventId)).toEqual(['a-v1', 'a-v2'])
    expect(r.conflicts).toMatchObject([{ kind: 'duplicate-version', expected: 2, stream: 'a' }])
  })

  it('reports a gap and does not apply beyond it', () => {
    const r = gateByVersion([ev('a', 1), ev('a', 3)], streamOf, new Map())
    expect(r.accepted).toHaveLength(1)
    expect(r.conflicts).toMatchObject([{ kind: 'gap', expected: 2 }])
    expect(r.versions.get('a')?.version).toBe(1)
  })

  it('gives the same result when the same batch is gated twice on top of itself (replay)', () => {
    const batch = [ev('a', 1), ev('a', 2)]
    const first = gateByVersion(batch, streamOf, new Map())
    const second = gateByVersion(batch, streamOf, first.versions)
    expect(second.accepted).toEqual([])
    expect(second.duplicates).toBe(2)
  })
})
