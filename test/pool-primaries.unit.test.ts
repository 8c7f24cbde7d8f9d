import { describe, expect, it } from 'vitest'
import { shareOf } from '../src/workers/pool-primaries.ts'

describe('a primary’s share of the pool-wide target', () => {
  it('splits the target evenly, the first members taking the remainder, and the shares add up to the target', () => {
    const members = ['a', 'b', 'c']
    for (let desired = 0; desired <= 10; desired++) {
      const shares = members.map((m) => shareOf(desired, members, m))
      expect(shares.reduce((x, y) => x + y, 0)).toBe(desired)
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1)
    }
    expect(members.map((m) => shareOf(4, members, m))).toEqual([2, 1, 1])
  })

  it('gives a primary that is not (yet) a member nothing, and a sole primary everything', () => {
    expect(shareOf(3, ['a', 'b'], 'z')).toBe(0)
    expect(shareOf(3, ['a'], 'a')).toBe(3)
  })
})
