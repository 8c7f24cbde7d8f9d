/** One poll of a pool's backlog: records not yet consumed, and how long the oldest has waited. */
export type LagSample = Readonly<{ at: number; lag: number; timeLagMs: number }>

export type AutoscalerConfig = Readonly<{
  minWorkers: number
  maxWorkers: number
  lagThreshold: number
  maxAgentsPerProcess: number
  scaleIntervalMs: number
  scaleDownStabilizationMs: number
  /** window whose peak lag drives scale-up (default: three scale intervals) */
  smoothingWindowMs?: number
}>

export type AutoscalerInput = Readonly<{
  samples: readonly LagSample[]
  config: AutoscalerConfig
  now: number
  current: number
  /** partitions of the lanes: more consumers than this would idle */
  partitions: number
  /** agents spawned on the pool: ceil(hosted / maxAgentsPerProcess) processes are a floor */
  hostedAgents: number
  lastScaleUpAt: number | null
  lastScaleDownAt: number | null
}>

export type ScaleDecision = Readonly<{ desired: number; reason: string; lag: number; timeLagMs: number }>

const peak = (samples: readonly LagSample[], from: number) =>
  samples
    .filter((s) => s.at >= from)
    .reduce((m, s) => ({ lag: Math.max(m.lag, s.lag), timeLagMs: Math.max(m.timeLagMs, s.timeLagMs) }), { lag: 0, timeLagMs: 0 })

/**
 * desired = clamp(ceil(lag / lagThreshold), minWorkers, maxWorkers), capped by the partitions,
 * floored by the hosted agents. Scale-up follows the peak lag of a short window at once;
 * scale-down needs the peak of the whole stabilization window to want fewer workers, waits the
 * stabilization time since the last change, and removes one worker at a time. Pure.
 */
export function decideScale(input: AutoscalerInput): ScaleDecision {
  const { config: c, now, current } = input
  const cap = Math.max(0, Math.min(c.maxWorkers, input.partitions))
  const floor = Math.min(cap, Math.max(c.minWorkers, Math.ceil(input.hostedAgents / Math.max(1, c.maxAgentsPerProcess))))
  const want = (lag: number) => Math.min(cap, Math.max(floor, Math.ceil(lag / c.lagThreshold)))
  const recent = peak(input.samples, now - (c.smoothingWindowMs ?? 3 * c.scaleIntervalMs))
  const target = want(recent.lag)
  const at = (desired: number, reason: string) => ({ desired, reason, lag: recent.lag, timeLagMs: recent.timeLagMs })

  if (current > cap) return at(cap, `above the cap of ${cap} (maxWorkers ${c.maxWorkers}, partitions ${input.partitions})`)
  if (target > current) return at(target, `lag ${recent.lag} needs ${target} workers (threshold ${c.lagThreshold})`)
  if (current < floor) return at(floor, `below the floor of ${floor}`)
  if (target === current) return at(current, 'steady')

  const lastChange = Math.max(input.lastScaleUpAt ?? -Infinity, input.lastScaleDownAt ?? -Infinity)
  if (now - lastChange < c.scaleDownStabilizationMs) return at(current, 'stabilizing before scaling down')
  const stable = peak(input.samples, now - c.scaleDownStabilizationMs)
  const stableTarget = want(stable.lag)
  if (stableTarget >= current) return at(current, `peak lag ${stable.lag} of the stabilization window still needs ${current}`)
  return {
    desired: current - 1,
    reason: `peak lag ${stable.lag} over ${c.scaleDownStabilizationMs} ms needs ${stableTarget}; one step down`,
    lag: stable.lag,
    timeLagMs: stable.timeLagMs,
  }
}

/** Samples worth keeping for the next decisions. */
export const pruneSamples = (samples: readonly LagSample[], config: AutoscalerConfig, now: number): LagSample[] =>
  samples.filter((s) => s.at >= now - Math.max(config.scaleDownStabilizationMs, config.smoothingWindowMs ?? 3 * config.scaleIntervalMs))
