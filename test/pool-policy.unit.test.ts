import { describe, expect, it } from 'vitest'
import { initialScaleMemory, needsReplacement, planScaleStep, restartDelayMs, type ScalePoll } from '../src/workers/pool-policy.ts'

const config = {
  minWorkers: 1,
  maxWorkers: 6,
  lagThreshold: 100,
  maxAgentsPerProcess: 10,
  scaleIntervalMs: 1_000,
  scaleDownStabilizationMs: 10_000,
}
const poll = (over: Partial<ScalePoll> = {}, lag = 0): ScalePoll => ({
  memory: initialScaleMemory(config.minWorkers),
  config,
  now: 100_000,
  lag: { lag, timeLagMs: 0, partitions: 12 },
  hostedAgents: 0,
  current: 1,
  ...over,
})

describe('planScaleStep', () => {
  it('forks the missing workers at once on a lag spike, remembers the scale-up and records it', () => {
    const step = planScaleStep(poll({ lag: { lag: 350, timeLagMs: 1_234.6, partitions: 12 } }))
    expect(step).toMatchObject({ fork: 3, drain: 0 })
    expect(step.memory).toMatchObject({ desired: 4, lastScaleUpAt: 100_000, lastScaleDownAt: null })
    expect(step.memory.samples).toEqual([{ at: 100_000, lag: 350, timeLagMs: 1_234.6 }])
    expect(step.record).toMatchObject({ type: 'RecordScaling', fromWorkers: 1, toWorkers: 4, lag: 350, timeLagMs: 1_235 })
  })

  it('does nothing while steady, but still keeps the sample', () => {
    const step = planScaleStep(poll({}, 80))
    expect(step).toMatchObject({ fork: 0, drain: 0, record: undefined })
    expect(step.memory).toMatchObject({ desired: 1, lastScaleUpAt: null, lastScaleDownAt: null })
    expect(step.memory.samples).toHaveLength(1)
  })

  it('drains one worker at a time once the stabilization window is quiet, and remembers the scale-down', () => {
    const quiet = Array.from({ length: 12 }, (_, i) => ({ at: 100_000 - (12 - i) * 1_000, lag: 0, timeLagMs: 0 }))
    const memory = { ...initialScaleMemory(1), samples: quiet, lastScaleUpAt: 80_000, desired: 4 }
    const step = planScaleStep(poll({ memory, current: 4 }))
    expect(step).toMatchObject({ fork: 0, drain: 1 })
    expect(step.memory).toMatchObject({ desired: 3, lastScaleUpAt: 80_000, lastScaleDownAt: 100_000 })
    expect(step.record).toMatchObject({ fromWorkers: 4, toWorkers: 3 })
  })

  it('waits out the stabilization time after the last change before draining', () => {
    const memory = { ...initialScaleMemory(1), lastScaleUpAt: 95_000, desired: 4 }
    expect(planScaleStep(poll({ memory, current: 4 }))).toMatchObject({ fork: 0, drain: 0, record: undefined })
  })

  it('drops samples older than the longest window it still needs', () => {
    const memory = { ...initialScaleMemory(1), samples: [{ at: 89_999, lag: 900, timeLagMs: 0 }] }
    expect(planScaleStep(poll({ memory })).memory.samples.map((s) => s.at)).toEqual([100_000])
  })

  it('forks up to minWorkers from none and never above the partitions', () => {
    expect(planScaleStep(poll({ current: 0 }))).toMatchObject({ fork: 1, memory: { desired: 1 } })
    const capped = planScaleStep(poll({ current: 2, lag: { lag: 5_000, timeLagMs: 0, partitions: 3 } }))
    expect(capped).toMatchObject({ fork: 1, memory: { desired: 3 } })
  })
})

describe('restarts', () => {
  it('doubles the pause with each crash, at most 30 s', () => {
    expect([0, 1, 2, 3].map((crashes) => restartDelayMs(500, crashes))).toEqual([500, 1_000, 2_000, 4_000])
    expect(restartDelayMs(500, 10)).toBe(30_000)
  })

  it('replaces a crashed worker below max(1, minWorkers, the latest target)', () => {
    expect(needsReplacement(0, 0, 0)).toBe(true)
    expect(needsReplacement(1, 0, 0)).toBe(false)
    expect(needsReplacement(1, 2, 0)).toBe(true)
    expect(needsReplacement(2, 1, 3)).toBe(true)
    expect(needsReplacement(3, 1, 3)).toBe(false)
  })

  it('starts from minWorkers as the target', () => {
    expect(initialScaleMemory(2).desired).toBe(2)
    expect(initialScaleMemory(0).desired).toBe(0)
  })
})
