import { describe, expect, it } from 'vitest'
import { createOffsetTracker } from '../src/workers/offset-tracker.ts'

describe('offset tracker', () => {
  it('commits nothing before the first record', () => {
    expect(createOffsetTracker().committable()).toBeUndefined()
  })

  it('commits only below the lowest offset still running, whatever order tasks finish in', () => {
    const t = createOffsetTracker()
    for (const o of [10n, 11n, 12n, 13n]) expect(t.track(o)).toBe(true)
    expect(t.committable()).toBe(10n)
    t.done(12n)
    t.done(13n)
    expect(t.committable()).toBe(10n)
    t.done(10n)
    expect(t.committable()).toBe(11n)
    t.done(11n)
    expect(t.committable()).toBe(14n)
    expect(t.inFlight).toBe(0)
  })

  it('handles gaps in offsets (transaction markers, compaction)', () => {
    const t = createOffsetTracker()
    t.track(5n)
    t.track(9n)
    t.done(9n)
    expect(t.committable()).toBe(5n)
    t.done(5n)
    expect(t.committable()).toBe(10n)
  })

  it('refuses a redelivered offset, running or done, so it is neither run twice nor marked done early', () => {
    const t = createOffsetTracker()
    t.track(1n)
    t.track(2n)
    t.done(1n)
    expect(t.track(1n)).toBe(false)
    expect(t.track(2n)).toBe(false)
    expect(t.committable()).toBe(2n)
    expect(t.track(3n)).toBe(true)
  })
})
