import { describe, expect, it } from 'vitest'
import { murmur2, partitionOfKey } from '../src/eventstore/partitioner.ts'

const bytes = (s: string) => new TextEncoder().encode(s)

describe('murmur2 partitioner', () => {
  // The Java client's own vectors (org.apache.kafka.common.utils.UtilsTest#testMurmur2).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%s) is %i, as in Kafka', (input, expected) => {
    expect(murmur2(bytes(input))).toBe(expected)
  })

  it('spreads keys over every partition, within bounds', () => {
    const seen = new Set<number>()
    for (let i = 0; i < 2_000; i++) {
      const p = partitionOfKey(`task-${i}`, 12)
      expect(p).toBeGreaterThanOrEqual(0)
      expect(p).toBeLessThan(12)
      seen.add(p)
    }
    expect(seen.size).toBe(12)
  })
})
