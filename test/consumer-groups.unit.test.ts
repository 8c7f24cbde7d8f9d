import { describe, expect, it } from 'vitest'
import { resolveGroups } from '../src/eventstore/consumer-groups.ts'

const catalog = [{ name: 'a' }, { name: 'b' }, { name: 'c' }]
const what = { kind: 'projection', setting: 'AGENTFLEET_PROJECTOR_GROUPS' }

describe('consumer groups from configuration', () => {
  it('puts every member in exactly one group; * takes the rest', () => {
    const groups = resolveGroups(
      [
        { name: 'fast', members: ['b'] },
        { name: 'rest', members: '*' },
      ],
      catalog,
      what,
    )
    expect(groups.map((g) => [g.name, g.members.map((m) => m.name)])).toEqual([
      ['fast', ['b']],
      ['rest', ['a', 'c']],
    ])
  })

  it('refuses unknown members, a member in two groups, two catch-alls and members in no group', () => {
    expect(() =>
      resolveGroups(
        [
          { name: 'x', members: ['z'] },
          { name: 'r', members: '*' },
        ],
        catalog,
        what,
      ),
    ).toThrow(/unknown projection z/)
    expect(() =>
      resolveGroups(
        [
          { name: 'x', members: ['a'] },
          { name: 'y', members: ['a'] },
          { name: 'r', members: '*' },
        ],
        catalog,
        what,
      ),
    ).toThrow(/a named by two groups/)
    expect(() =>
      resolveGroups(
        [
          { name: 'x', members: '*' },
          { name: 'y', members: '*' },
        ],
        catalog,
        what,
      ),
    ).toThrow(/only one group/)
    expect(() => resolveGroups([{ name: 'x', members: ['a'] }], catalog, what)).toThrow(/b, c in no group/)
  })

  it('drops a catch-all left with nothing to run', () => {
    expect(
      resolveGroups(
        [
          { name: 'all', members: ['a', 'b', 'c'] },
          { name: 'rest', members: '*' },
        ],
        catalog,
        what,
      ).map((g) => g.name),
    ).toEqual(['all'])
  })
})
