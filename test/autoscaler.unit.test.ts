import { describe, expect, it } from 'vitest'
import { decideScale, pruneSamples, type AutoscalerInput, type LagSample } from '../src/workers/autoscaler.ts'

const config = {
  minWorkers: 1,
  maxWorkers: 8,
  lagThreshold: 100,
  maxAgentsPerProcess: 10,
  scaleIntervalMs: 1_000,
  scaleDownStabilizationMs: 10_000,
}
const input = (over: Partial<AutoscalerInput>): AutoscalerInput => ({
  samples: [],
  config,
  now: 100_000,
  current: 1,
  partitions: 12,
  hostedAgents: 0,
  lastScaleUpAt: null,
  lastScaleDownAt: null,
  ...over,
})
const at = (now: number, ...lags: number[]): LagSample[] =>
  lags.map((lag, i) => ({ at: now - (lags.length - 1 - i) * 1_000, lag, timeLagMs: 0 }))

describe('autoscaler', () => {
  it('wants ceil(lag / lagThreshold) workers and scales up at once', () => {
    const d = decideScale(input({ samples: at(100_000, 0, 250) }))
    expect(d.desired).toBe(3)
    expect(d.lag).toBe(250)
    expect(d.reason).toMatch(/lag 250/)
  })

  it('clamps to minWorkers and maxWorkers', () => {
    expect(decideScale(input({ samples: at(100_000, 5_000) })).desired).toBe(8)
    expect(decideScale(input({ current: 0, samples: at(100_000, 0) })).desired).toBe(1)
  })

  it('never wants more consumers than the lanes have partitions', () => {
    expect(decideScale(input({ samples: at(100_000, 5_000), partitions: 3 })).desired).toBe(3)
    expect(decideScale(input({ current: 5, partitions: 3, samples: at(100_000, 5_000) })).desired).toBe(3)
  })

  it('keeps enough processes for the spawned agents', () => {
    expect(decideScale(input({ current: 1, hostedAgents: 25, samples: at(100_000, 0) })).desired).toBe(3)
  })

  it('smooths scale-up over the window peak, so a dip does not undo it', () => {
    const d = decideScale(input({ current: 1, samples: at(100_000, 400, 0) }))
    expect(d.desired).toBe(4)
  })

  it('does not scale down within the stabilization time after a change', () => {
    const d = decideScale(input({ current: 4, lastScaleUpAt: 95_000, samples: at(100_000, 400, 0, 0, 0, 0, 0) }))
    expect(d.desired).toBe(4)
    expect(d.reason).toMatch(/stabiliz/)
  })

  it('does not scale down while the stabilization window still saw the lag', () => {
    const samples = at(100_000, 400, 0, 0, 0, 0, 0, 0, 0, 0)
    expect(decideScale(input({ current: 4, lastScaleUpAt: 80_000, samples })).desired).toBe(4)
  })

  it('scales down one step at a time once the window was quiet', () => {
    const samples = at(100_000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    const d = decideScale(input({ current: 4, lastScaleUpAt: 80_000, samples }))
    expect(d.desired).toBe(3)
    expect(decideScale(input({ current: 3, lastScaleUpAt: 80_000, lastScaleDownAt: 100_000, now: 101_000, samples })).desired).toBe(3)
    expect(
      decideScale(
        input({
          current: 3,
          lastScaleUpAt: 80_000,
          lastScaleDownAt: 100_000,
          now: 111_000,
          samples: at(111_000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        }),
      ).desired,
    ).toBe(2)
  })

  it('keeps the samples both windows need', () => {
    const kept = pruneSamples(at(100_000, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14), config, 100_000)
    expect(kept.map((s) => s.lag)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
  })
})
