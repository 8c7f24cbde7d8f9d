import type { RecordScaling } from '../commands/pool/pool.commands.ts'
import { decideScale, pruneSamples, type AutoscalerConfig, type LagSample, type ScaleDecision } from './autoscaler.ts'

/** What a pool group carries from one scaling poll to the next. */
export type ScaleMemory = Readonly<{
  samples: readonly LagSample[]
  lastScaleUpAt: number | null
  lastScaleDownAt: number | null
  /** the latest target: a crashed worker is replaced while fewer are active */
  desired: number
}>

export const initialScaleMemory = (minWorkers: number): ScaleMemory => ({
  samples: [],
  lastScaleUpAt: null,
  lastScaleDownAt: null,
  desired: Math.max(minWorkers, 0),
})

export type ScalePoll = Readonly<{
  memory: ScaleMemory
  config: AutoscalerConfig
  now: number
  /** the group's lag over the lanes, the oldest waiting record's age, the partitions of one lane */
  lag: Readonly<{ lag: number; timeLagMs: number; partitions: number }>
  hostedAgents: number
  /** active (not draining) workers */
  current: number
}>

export type ScaleStep = Readonly<{
  decision: ScaleDecision
  memory: ScaleMemory
  /** workers to fork */
  fork: number
  /** workers to drain, newest first */
  drain: number
  /** the command that records the change as PoolScaled; undefined when nothing changes */
  record: RecordScaling | undefined
}>

/** One scaling poll: remember the sample, ask the autoscaler, and turn its answer into forks or drains. Pure. */
export function planScaleStep(poll: ScalePoll): ScaleStep {
  const { memory, config, now, current } = poll
  const samples = pruneSamples([...memory.samples, { at: now, lag: poll.lag.lag, timeLagMs: poll.lag.timeLagMs }], config, now)
  const decision = decideScale({
    samples,
    config,
    now,
    current,
    partitions: poll.lag.partitions,
    hostedAgents: poll.hostedAgents,
    lastScaleUpAt: memory.lastScaleUpAt,
    lastScaleDownAt: memory.lastScaleDownAt,
  })
  const { desired } = decision
  return {
    decision,
    memory: {
      samples,
      lastScaleUpAt: desired > current ? now : memory.lastScaleUpAt,
      lastScaleDownAt: desired < current ? now : memory.lastScaleDownAt,
      desired,
    },
    fork: Math.max(0, desired - current),
    drain: Math.max(0, current - desired),
    record:
      desired === current
        ? undefined
        : {
            type: 'RecordScaling',
            fromWorkers: current,
            toWorkers: desired,
            lag: decision.lag,
            timeLagMs: Math.round(decision.timeLagMs),
            reason: decision.reason,
          },
  }
}

/** The pause before replacing a crashed worker: doubles with each crash since a worker last came up, at most 30 s. */
export const restartDelayMs = (restartMs: number, crashes: number): number => Math.min(30_000, restartMs * 2 ** crashes)

/** Whether a crashed worker is still to be replaced: always keep one, and at least minWorkers and the latest target. */
export const needsReplacement = (active: number, minWorkers: number, desired: number): boolean => active < Math.max(1, minWorkers, desired)
