import { describe, expect, it } from 'vitest'
import { createPartitionOffsets } from '../src/workers/partition-offsets.ts'

describe('partition offsets', () => {
  it('lists the lowest running offset of each partition, and only partitions that moved since their last commit', () => {
    const offsets = createPartitionOffsets()
    const a0 = offsets.trackerOf('t.high', 0)
    const a1 = offsets.trackerOf('t.high', 1)
    expect(offsets.trackerOf('t.high', 0)).toBe(a0)
    expect(offsets.due()).toEqual([])
    a0.track(5n)
    a0.track(6n)
    a1.track(2n)
    a1.done(2n)
    expect(offsets.due()).toEqual([
      { topic: 't.high', partition: 0, offset: '5' },
      { topic: 't.high', partition: 1, offset: '3' },
    ])
    offsets.committed(offsets.due())
    expect(offsets.due()).toEqual([])
    a0.done(5n)
    expect(offsets.due()).toEqual([{ topic: 't.high', partition: 0, offset: '6' }])
  })

  it('forgets the partitions a rebalance moved elsewhere, so a returning partition starts afresh', () => {
    const offsets = createPartitionOffsets()
    offsets.trackerOf('t.high', 0).track(1n)
    offsets.trackerOf('t.low', 3).track(9n)
    offsets.keepOnly({ 't.low': [3] })
    expect(offsets.due()).toEqual([{ topic: 't.low', partition: 3, offset: '9' }])
    expect(offsets.trackerOf('t.high', 0).committable()).toBeUndefined()
  })
})
