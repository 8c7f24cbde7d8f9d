import { describe, expect, it } from 'vitest'
import { decideLanePauses, laneTakesRecord, type LaneSnapshot, type LaneState } from '../src/workers/lane-pauses.ts'

const now = 50_000
const idle: LaneSnapshot = { pendingBatches: 0, waitingForSlot: 0, lagSeenAt: 0, paused: false }
/** Four lanes, CRITICAL first; `over` changes single lanes by index. */
const state = (over: Partial<Omit<LaneState, 'lanes'>> = {}, lanes: Record<number, Partial<LaneSnapshot>> = {}): LaneState => ({
  lanes: [0, 1, 2, 3].map((i) => ({ ...idle, ...lanes[i] })),
  inFlight: 0,
  capacity: 8,
  draining: false,
  now,
  lagMemoryMs: 1_000,
  ...over,
})
const allPaused = { 0: { paused: true }, 1: { paused: true }, 2: { paused: true }, 3: { paused: true } }

describe('decideLanePauses', () => {
  it('changes nothing while no lane has work and slots are free', () => {
    expect(decideLanePauses(state())).toEqual({ pause: [], resume: [] })
  })

  it('pauses every lane once the in-flight records reach the capacity, and only the ones not paused yet', () => {
    expect(decideLanePauses(state({ inFlight: 8 }))).toEqual({ pause: [0, 1, 2, 3], resume: [] })
    expect(decideLanePauses(state({ inFlight: 9 }, { 1: { paused: true } }))).toEqual({ pause: [0, 2, 3], resume: [] })
    expect(decideLanePauses(state({ inFlight: 7 }))).toEqual({ pause: [], resume: [] })
  })

  it('pauses every lane while draining, even with free slots and no work', () => {
    expect(decideLanePauses(state({ draining: true }))).toEqual({ pause: [0, 1, 2, 3], resume: [] })
  })

  it('pauses the lanes below the highest one with a batch being handed out or a record waiting for a slot', () => {
    expect(decideLanePauses(state({}, { 1: { pendingBatches: 1 } }))).toEqual({ pause: [2, 3], resume: [] })
    expect(decideLanePauses(state({}, { 2: { waitingForSlot: 3 }, 3: { pendingBatches: 2 } }))).toEqual({ pause: [3], resume: [] })
    // the highest busy lane counts, not the lowest
    expect(decideLanePauses(state({}, { 0: { waitingForSlot: 1 }, 2: { pendingBatches: 1 } }))).toEqual({ pause: [1, 2, 3], resume: [] })
  })

  it('keeps the lanes below a recently lagging lane paused for lagMemoryMs, then resumes them', () => {
    const lagging = (seenAgoMs: number) => state({}, { 0: { lagSeenAt: now - seenAgoMs }, 1: { paused: true }, 2: { paused: true } })
    expect(decideLanePauses(lagging(999))).toEqual({ pause: [3], resume: [] })
    expect(decideLanePauses(lagging(1_000))).toEqual({ pause: [], resume: [1, 2] })
  })

  it('resumes the lanes at and above the highest busy one when the slots free up', () => {
    expect(decideLanePauses(state({ inFlight: 2 }, { ...allPaused, 2: { paused: true, pendingBatches: 1 } }))).toEqual({
      pause: [],
      resume: [0, 1, 2],
    })
  })

  it('resumes everything once the backlog is gone', () => {
    expect(decideLanePauses(state({}, allPaused))).toEqual({ pause: [], resume: [0, 1, 2, 3] })
  })
})

describe('laneTakesRecord', () => {
  it('lets a lane take a slot while nothing above it is busy and slots are free', () => {
    expect(laneTakesRecord(state(), 3)).toBe(true)
    expect(laneTakesRecord(state({}, { 3: { pendingBatches: 1, waitingForSlot: 5 } }), 2)).toBe(true)
    expect(laneTakesRecord(state({}, { 0: { pendingBatches: 1 } }), 0)).toBe(true)
  })

  it('holds a lane back while a higher lane has a batch being handed out or a record waiting', () => {
    expect(laneTakesRecord(state({}, { 1: { pendingBatches: 1 } }), 2)).toBe(false)
    expect(laneTakesRecord(state({}, { 0: { waitingForSlot: 1 } }), 3)).toBe(false)
  })

  it('is not held back by a higher lane whose backlog was only seen recently (its batch is already fetched)', () => {
    expect(laneTakesRecord(state({}, { 0: { lagSeenAt: now - 10 } }), 2)).toBe(true)
  })

  it('takes nothing while draining or saturated, not even the top lane', () => {
    expect(laneTakesRecord(state({ draining: true }), 0)).toBe(false)
    expect(laneTakesRecord(state({ inFlight: 8 }), 0)).toBe(false)
    expect(laneTakesRecord(state({ inFlight: 7 }), 0)).toBe(true)
  })
})
