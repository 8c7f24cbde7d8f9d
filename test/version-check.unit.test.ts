import { describe, expect, it } from 'vitest'
import { createVersionCheck, describeProblem, versionsClean, type VersionObservation } from '../src/ops/version-check.ts'

const topic = 't.task.events'
const ob = (stream: string, version: number, offset: number, o: Partial<VersionObservation> = {}): VersionObservation => ({
  stream,
  version,
  eventId: `${stream}-v${version}`,
  at: { topic, partition: 0, offset },
  ...o,
})

const check = (observations: readonly VersionObservation[], options?: Parameters<typeof createVersionCheck>[0]) => {
  const c = createVersionCheck(options)
  for (const o of observations) c.observe(o)
  return c.result()
}

describe('createVersionCheck', () => {
  it('accepts streams with versions 1..n in order, interleaved', () => {
    const r = check([ob('a', 1, 0), ob('b', 1, 1), ob('a', 2, 2), ob('b', 2, 3), ob('a', 3, 4)])
    expect(r).toMatchObject({ events: 5, streams: 2, offendingStreams: 0, duplicates: 0, gaps: 0, offending: [] })
    expect(versionsClean(r)).toBe(true)
  })

  it('reports a second event with a version already seen, with both offsets', () => {
    const r = check([ob('a', 1, 0), ob('a', 2, 1), ob('a', 2, 7, { eventId: 'other' }), ob('a', 3, 8)])
    expect(r).toMatchObject({ duplicates: 1, gaps: 0, offendingStreams: 1 })
    expect(r.offending).toEqual([
      {
        stream: 'a',
        more: 0,
        problems: [
          {
            kind: 'duplicate',
            version: 2,
            at: { topic, partition: 0, offset: 7 },
            first: { topic, partition: 0, offset: 1 },
            sameEvent: false,
          },
        ],
      },
    ])
    expect(describeProblem(r.offending[0]!.problems[0]!)).toBe('version 2 again at t.task.events/0@7 (first at t.task.events/0@1)')
  })

  it('tells a repeated record (same event id) from a second writer, and an older version repeated', () => {
    const r = check([ob('a', 1, 0), ob('a', 2, 1), ob('a', 2, 2), ob('a', 1, 3)])
    expect(r.duplicates).toBe(2)
    expect(r.offending[0]!.problems).toMatchObject([
      { kind: 'duplicate', version: 2, sameEvent: true },
      { kind: 'duplicate', version: 1, first: undefined, sameEvent: false },
    ])
  })

  it('reports a missing version once and goes on from the next one', () => {
    const r = check([ob('a', 1, 0), ob('a', 2, 1), ob('a', 4, 2), ob('a', 5, 3), ob('a', 6, 4)])
    expect(r).toMatchObject({ duplicates: 0, gaps: 1, missingVersions: 1, offendingStreams: 1 })
    expect(r.offending[0]!.problems).toEqual([
      { kind: 'gap', missingFrom: 3, missingTo: 3, after: { topic, partition: 0, offset: 1 }, next: { topic, partition: 0, offset: 2 } },
    ])
    expect(describeProblem(r.offending[0]!.problems[0]!)).toBe(
      'version 3 missing: after t.task.events/0@1 the next event is at t.task.events/0@2',
    )
  })

  it('reports a stream that does not start at version 1', () => {
    const r = check([ob('a', 3, 0), ob('a', 4, 1)])
    expect(r).toMatchObject({ gaps: 1, missingVersions: 2 })
    expect(r.offending[0]!.problems[0]).toMatchObject({ kind: 'gap', missingFrom: 1, missingTo: 2, after: undefined })
  })

  it('a missing version found later closes its part of the gap but is out of order', () => {
    const r = check([ob('a', 1, 0), ob('a', 5, 1), ob('a', 3, 2)])
    expect(r).toMatchObject({ gaps: 2, missingVersions: 2, outOfOrder: 1, duplicates: 0 })
    expect(r.offending[0]!.problems).toMatchObject([
      { kind: 'gap', missingFrom: 2, missingTo: 2 },
      { kind: 'gap', missingFrom: 4, missingTo: 4 },
      { kind: 'out-of-order', version: 3 },
    ])
  })

  it('reports events outside their partition without folding them into the sequence', () => {
    const r = check([
      ob('a', 1, 0, { expectedPartition: 0 }),
      ob('a', 2, 5, { expectedPartition: 0, at: { topic, partition: 1, offset: 5 } }),
      ob('a', 2, 1, { expectedPartition: 0 }),
    ])
    expect(r).toMatchObject({ misplaced: 1, duplicates: 0, gaps: 0, offendingStreams: 1 })
    expect(r.offending[0]!.problems).toMatchObject([{ kind: 'misplaced', version: 2, expectedPartition: 0 }])
  })

  it('reports versions below 1', () => {
    expect(check([ob('a', 0, 0)])).toMatchObject({ invalid: 1, offendingStreams: 1 })
  })

  it('details the first offending streams only, and caps the problems of one stream', () => {
    const observations: VersionObservation[] = []
    let offset = 0
    for (let s = 0; s < 5; s++) for (let i = 0; i < 3; i++) observations.push(ob(`s${s}`, 1, offset++))
    const r = check(observations, { offendingLimit: 2, problemsPerStream: 1 })
    expect(r).toMatchObject({ offendingStreams: 5, duplicates: 10 })
    expect(r.offending.map((s) => [s.stream, s.problems.length, s.more])).toEqual([
      ['s0', 1, 1],
      ['s1', 1, 1],
    ])
  })
})
