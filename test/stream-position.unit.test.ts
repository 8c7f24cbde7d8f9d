import { describe, expect, it } from 'vitest'
import { attributesOf, createAttributeCache, type AttributeLookup } from '../src/stream/aggregate-attributes.ts'
import { matches, parseFilter } from '../src/stream/stream-filter.ts'
import { createLayout, decodePosition, encodePosition, reaches, slotsOf } from '../src/stream/stream-position.ts'
import { cached } from '../src/metrics/system-gauges.ts'
import type { StoredEvent } from '../src/events/envelope.ts'

const layout = createLayout([
  { topic: 'p.task.events', aggregate: 'task', partitions: 3 },
  { topic: 'p.agent.events', aggregate: 'agent', partitions: 2 },
])

describe('stream positions', () => {
  it('round-trip compactly and URL-safely, whatever the offsets', () => {
    const position = [0, 127, 128, 2 ** 40, 5]
    const id = encodePosition(layout, position)
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(id.length).toBeLessThan(40)
    expect(decodePosition(layout, id)).toEqual(position)
  })

  it('survive a topic being added (missing topics read from the beginning) and ignore unknown ones', () => {
    const old = createLayout([
      { topic: 'p.task.events', aggregate: 'task', partitions: 3 },
      { topic: 'p.gone.events', aggregate: 'gone', partitions: 1 },
    ])
    // slots sort by aggregate: gone=4, task=5,6,9
    expect(decodePosition(layout, encodePosition(old, [4, 5, 6, 9]))).toEqual([0, 0, 5, 6, 9])
  })

  it('refuse ids that were not issued', () => {
    for (const bad of ['', 'not base64!', 'AA', encodePosition(layout, [1, 2, 3, 4, 5]).slice(0, -3)]) {
      expect(() => decodePosition(layout, bad), bad).toThrow(/Last-Event-ID/)
    }
  })

  it('compare on the slots that matter', () => {
    const task = slotsOf(layout, new Set(['task']))
    expect(task).toEqual([2, 3, 4])
    expect(reaches([0, 0, 5, 5, 5], [9, 9, 5, 4, 5], task)).toBe(true)
    expect(reaches([0, 0, 5, 5, 5], [9, 9, 5, 4, 5], slotsOf(layout))).toBe(false)
  })
})

const event = (type: string, aggregateId: string, data: Record<string, unknown>): StoredEvent =>
  ({
    type,
    data,
    aggregateType: 'task',
    meta: { aggregateId } as never,
    position: { topic: 't', partition: 0, offset: '0' },
  }) as unknown as StoredEvent

describe('stream filters', () => {
  const known = { task: ['TaskCreated', 'TaskCancelled'], agent: ['AgentRegistered'] }
  it('reject unknown aggregates and event types', () => {
    expect(() => parseFilter({ aggregateType: 'task,ship' }, known)).toThrow(/ship/)
    expect(() => parseFilter({ types: 'TaskCreated,Boom' }, known)).toThrow(/Boom/)
  })

  it('place later events by what earlier events said (pool, project)', () => {
    const cache = createAttributeCache(2)
    const f = parseFilter({ pool: 'a', types: 'TaskCancelled' }, known)
    expect(
      matches(f, event('TaskCreated', 't1', { pool: 'a' }), cache.learn(event('TaskCreated', 't1', { pool: 'a', projectId: 'p' }))),
    ).toBe(false)
    const attrs = cache.learn(event('TaskCancelled', 't1', {}))
    expect(attrs).toEqual({ pool: 'a', projectId: 'p' })
    expect(matches(f, event('TaskCancelled', 't1', {}), attrs)).toBe(true)
    // Bounded: the least recently used aggregate is forgotten.
    cache.learn(event('TaskCreated', 't2', { pool: 'b' }))
    cache.learn(event('TaskCreated', 't3', { pool: 'c' }))
    expect(cache.has('task:t1')).toBe(false)
  })
})

describe('aggregate attributes of a batch', () => {
  const recording = (found: Record<string, { pool: string; projectId: string | null }>) => {
    const asked: string[][] = []
    const lookup: AttributeLookup = async (keys) => {
      asked.push(keys.map((k) => k.aggregateId))
      return new Map(keys.filter((k) => found[k.aggregateId]).map((k) => [`task:${k.aggregateId}`, found[k.aggregateId]!]))
    }
    return { asked, lookup }
  }

  it('looks up a task first seen by its TaskQueued: the pool it carries does not say the project', async () => {
    const { asked, lookup } = recording({ t1: { pool: 'a', projectId: 'p1' } })
    const cache = createAttributeCache()
    const [queued] = await attributesOf(
      cache,
      [event('TaskQueued', 't1', { attempt: 2, reason: 'retry', pool: 'a', priority: 'normal' })],
      lookup,
    )
    // Later batches trust the cache: the project must be right from the first event on.
    const [started] = await attributesOf(cache, [event('TaskStarted', 't1', {})], lookup)
    expect(asked).toEqual([['t1']])
    expect([queued, started]).toEqual([
      { pool: 'a', projectId: 'p1' },
      { pool: 'a', projectId: 'p1' },
    ])
    expect(matches(parseFilter({ projectId: 'p1' }, { task: [] }), event('TaskQueued', 't1', {}), queued!)).toBe(true)
  })

  it('needs no lookup for a task created in the same batch (TaskCreated then TaskQueued)', async () => {
    const { asked, lookup } = recording({})
    const attrs = await attributesOf(
      createAttributeCache(),
      [
        event('TaskCreated', 't2', { pool: 'b', projectId: 'p2' }),
        event('TaskQueued', 't2', { attempt: 1, reason: 'created', pool: 'b', priority: 'normal' }),
      ],
      lookup,
    )
    expect(asked).toEqual([])
    expect(attrs).toEqual([
      { pool: 'b', projectId: 'p2' },
      { pool: 'b', projectId: 'p2' },
    ])
  })
})

describe('cached collection', () => {
  it('shares one collection within the interval and retries after a failure', async () => {
    let now = 0
    let calls = 0
    const get = cached(
      async () => {
        calls++
        if (calls === 2) throw new Error('down')
        return calls
      },
      100,
      () => now,
    )
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1])
    now = 150
    await expect(get()).rejects.toThrow('down')
    expect(await get()).toBe(3)
  })
})
