import { describe, expect, it } from 'vitest'
import { checkAlignment, describeMisalignment } from '../src/projections/log-alignment.ts'

const current = { clusterId: 'c1', topicIds: new Map([['p.task.events', 'T1']]) }
const ends = new Map([
  [
    'p.task.events',
    new Map([
      [0, 10],
      [1, 5],
    ]),
  ],
])

describe('log alignment of a projector group', () => {
  it('accepts checkpoints at or before the log end, on the recorded cluster and topic', () => {
    expect(
      checkAlignment({
        checkpoints: [
          { topic: 'p.task.events', partition: 0, next_offset: 10 },
          { topic: 'p.task.events', partition: 1, next_offset: 0 },
        ],
        ends,
        recorded: [{ topic: 'p.task.events', clusterId: 'c1', topicId: 'T1' }],
        current,
      }),
    ).toEqual([])
  })

  it('finds a checkpoint past the end of its partition (a topic replaced by a shorter one)', () => {
    const problems = checkAlignment({
      checkpoints: [{ topic: 'p.task.events', partition: 1, next_offset: 7_000 }],
      ends,
      recorded: [],
      current,
    })
    expect(problems).toEqual([{ kind: 'beyond-end', topic: 'p.task.events', partition: 1, position: 7_000, end: 5 }])
    expect(describeMisalignment('main', problems)).toContain('agentfleet reset --group main --yes')
  })

  it('finds read models built from another cluster or another incarnation of the topic, even with small offsets', () => {
    const checkpoints = [{ topic: 'p.task.events', partition: 0, next_offset: 3 }]
    expect(checkAlignment({ checkpoints, ends, recorded: [{ topic: 'p.task.events', clusterId: 'c0', topicId: 'T1' }], current })).toEqual([
      { kind: 'other-cluster', topic: 'p.task.events', recorded: 'c0', current: 'c1' },
    ])
    const other = checkAlignment({ checkpoints, ends, recorded: [{ topic: 'p.task.events', clusterId: 'c1', topicId: 'T0' }], current })
    expect(other).toEqual([{ kind: 'other-topic', topic: 'p.task.events', recorded: 'T0', current: 'T1' }])
    expect(describeMisalignment('main', other)).toMatch(/another incarnation of p\.task\.events/)
  })
})
