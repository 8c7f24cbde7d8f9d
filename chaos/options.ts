/** How a chaos run goes. The short run is what `npm test` runs; the full one is `npm run chaos`. */
export type ChaosOptions = Readonly<{
  short: boolean
  /** submissions per second */
  rate: number
  /** at least this long under load, even when the faults are over sooner */
  minLoadMs: number
  /** fault names to inject instead of the run's set */
  only: readonly string[] | undefined
  /** how many times the fault list is gone through (later rounds in a shuffled order) */
  rounds: number
  /** how long a killed role stays down */
  downtimeMs: number
  /** quiet time between faults (plus up to 1 s of jitter, so kills land at random instants) */
  gapMs: number
  /** load before the first fault */
  warmupMs: number
  /** after the load stops: how long the clients may keep retrying and the tasks may take to finish */
  settleMs: number
  /** a recovery slower than this counts as none */
  recoveryTimeoutMs: number
  keep: boolean
}>

const profiles = {
  short: {
    rate: 4,
    minLoadMs: 0,
    rounds: 1,
    downtimeMs: 1_000,
    gapMs: 1_500,
    warmupMs: 3_000,
    settleMs: 60_000,
    recoveryTimeoutMs: 60_000,
  },
  // The load stays well below what the box sustains while faults hit it: a chaos run proves
  // correctness under faults; throughput is the benchmark's business.
  full: {
    rate: 5,
    minLoadMs: 0,
    rounds: 2,
    downtimeMs: 2_000,
    gapMs: 4_000,
    warmupMs: 5_000,
    settleMs: 180_000,
    recoveryTimeoutMs: 90_000,
  },
} as const

export type CliFlags = { short?: boolean; rate?: string; duration?: string; faults?: string; rounds?: string; keep?: boolean }

const positive = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${value}`)
  return n
}

export function resolveOptions(flags: CliFlags): ChaosOptions {
  const short = flags.short === true
  const profile = short ? profiles.short : profiles.full
  const duration = positive('duration', flags.duration)
  return {
    ...profile,
    short,
    rate: positive('rate', flags.rate) ?? profile.rate,
    minLoadMs: duration === undefined ? profile.minLoadMs : duration * 1_000,
    rounds: Math.round(positive('rounds', flags.rounds) ?? profile.rounds),
    only: flags.faults
      ?.split(',')
      .map((f) => f.trim())
      .filter(Boolean),
    keep: flags.keep === true,
  }
}
