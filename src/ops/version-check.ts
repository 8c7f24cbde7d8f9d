/** Where one record sits in the log. */
export type LogSpot = Readonly<{ topic: string; partition: number; offset: number }>

/** One event as `verify` sees it: its stream (`<aggregate>:<id>`), version, id and place. */
export type VersionObservation = Readonly<{
  stream: string
  version: number
  eventId: string
  at: LogSpot
  /** the partition the event store writes this stream to; another one is a misplaced event */
  expectedPartition?: number
}>

export type VersionProblem =
  /** a second event with a version the stream already has; `sameEvent` when it also repeats the event id */
  | Readonly<{ kind: 'duplicate'; version: number; at: LogSpot; first?: LogSpot; sameEvent: boolean }>
  /** versions `missingFrom`..`missingTo` never appear; `after` is the event before the hole (none when version 1 is missing) */
  | Readonly<{ kind: 'gap'; missingFrom: number; missingTo: number; after?: LogSpot; next: LogSpot }>
  /** a missing version that turned up later in the log, after higher ones */
  | Readonly<{ kind: 'out-of-order'; version: number; at: LogSpot }>
  /** an event outside its stream's partition: the event store, which reads one partition, never sees it */
  | Readonly<{ kind: 'misplaced'; version: number; at: LogSpot; expectedPartition: number }>
  /** a version below 1 */
  | Readonly<{ kind: 'invalid'; version: number; at: LogSpot }>

export type StreamFindings = Readonly<{
  stream: string
  problems: readonly VersionProblem[]
  /** problems of this stream left out of `problems` (see `problemsPerStream`) */
  more: number
}>

export type VersionCheckResult = Readonly<{
  events: number
  streams: number
  offendingStreams: number
  /** events repeating a version */
  duplicates: number
  /** holes in the version sequences (ranges), and the versions they miss */
  gaps: number
  missingVersions: number
  outOfOrder: number
  misplaced: number
  invalid: number
  /** the first offending streams, in the order they were found */
  offending: readonly StreamFindings[]
}>

export type VersionCheck = Readonly<{
  observe: (o: VersionObservation) => void
  result: () => VersionCheckResult
}>

type StreamState = { upTo: number; last: LogSpot; lastEventId: string }
type OpenGap = { from: number; to: number; after?: LogSpot; next: LogSpot }
type Offender = { problems: VersionProblem[]; more: number; gaps: OpenGap[] }

/**
 * Checks the version sequence of every stream, as the log holds them: in each partition the
 * events of a stream must carry versions 1, 2, 3, … in log order. Observations of one
 * partition must arrive in offset order; partitions may interleave (a stream lives in one).
 *
 * A version already seen is a duplicate; a jump leaves a gap and the sequence continues from the
 * new version (one hole is one gap, not a cascade); a missing version that turns up later closes
 * its part of the gap but is out of order (a projector has already skipped it).
 *
 * Memory: one small entry per stream, and the details of offending streams (capped per stream).
 */
export function createVersionCheck(options: { offendingLimit?: number; problemsPerStream?: number } = {}): VersionCheck {
  const offendingLimit = options.offendingLimit ?? 20
  const problemsPerStream = options.problemsPerStream ?? 10
  const streams = new Map<string, StreamState>()
  const offenders = new Map<string, Offender>()
  const counts = { events: 0, duplicates: 0, outOfOrder: 0, misplaced: 0, invalid: 0 }

  const offender = (stream: string): Offender => {
    let o = offenders.get(stream)
    if (!o) {
      o = { problems: [], more: 0, gaps: [] }
      offenders.set(stream, o)
    }
    return o
  }
  const report = (stream: string, problem: VersionProblem) => {
    const o = offender(stream)
    if (o.problems.length < problemsPerStream) o.problems.push(problem)
    else o.more++
  }

  /** Takes `version` out of an open gap of the stream; true when it was missing. */
  const fill = (stream: string, version: number): boolean => {
    const o = offenders.get(stream)
    const i = o?.gaps.findIndex((g) => version >= g.from && version <= g.to) ?? -1
    if (!o || i < 0) return false
    const g = o.gaps[i]!
    const parts: OpenGap[] = []
    if (g.from < version) parts.push({ ...g, to: version - 1 })
    if (version < g.to) parts.push({ ...g, from: version + 1 })
    o.gaps.splice(i, 1, ...parts)
    return true
  }

  const observe = (ob: VersionObservation): void => {
    counts.events++
    const { stream, version: v, at } = ob
    if (ob.expectedPartition !== undefined && ob.expectedPartition !== at.partition) {
      counts.misplaced++
      report(stream, { kind: 'misplaced', version: v, at, expectedPartition: ob.expectedPartition })
      return
    }
    if (!Number.isInteger(v) || v < 1) {
      counts.invalid++
      report(stream, { kind: 'invalid', version: v, at })
      return
    }
    const s = streams.get(stream)
    const upTo = s?.upTo ?? 0
    if (v === upTo + 1) {
      // the common case: the next version
    } else if (v > upTo + 1) {
      offender(stream).gaps.push({ from: upTo + 1, to: v - 1, after: s?.last, next: at })
    } else if (fill(stream, v)) {
      counts.outOfOrder++
      report(stream, { kind: 'out-of-order', version: v, at })
      return
    } else {
      counts.duplicates++
      const first = v === upTo ? s?.last : undefined
      report(stream, { kind: 'duplicate', version: v, at, first, sameEvent: v === upTo && s?.lastEventId === ob.eventId })
      return
    }
    if (s) {
      s.upTo = v
      s.last = at
      s.lastEventId = ob.eventId
    } else streams.set(stream, { upTo: v, last: at, lastEventId: ob.eventId })
  }

  const result = (): VersionCheckResult => {
    let gaps = 0
    let missingVersions = 0
    const offending: StreamFindings[] = []
    let offendingStreams = 0
    for (const [stream, o] of offenders) {
      gaps += o.gaps.length
      for (const g of o.gaps) missingVersions += g.to - g.from + 1
      if (o.problems.length === 0 && o.gaps.length === 0) continue
      offendingStreams++
      if (offending.length >= offendingLimit) continue
      const holes: VersionProblem[] = o.gaps.map((g) => ({
        kind: 'gap',
        missingFrom: g.from,
        missingTo: g.to,
        after: g.after,
        next: g.next,
      }))
      const room = Math.max(0, problemsPerStream - o.problems.length)
      offending.push({
        stream,
        problems: [...holes.slice(0, room), ...o.problems],
        more: o.more + Math.max(0, holes.length - room),
      })
    }
    let onlyMisplaced = 0
    for (const stream of offenders.keys()) if (!streams.has(stream)) onlyMisplaced++
    return { ...counts, streams: streams.size + onlyMisplaced, offendingStreams, gaps, missingVersions, offending }
  }

  return { observe, result }
}

/** True when the check found nothing wrong. */
export const versionsClean = (r: VersionCheckResult): boolean => r.offendingStreams === 0

const spot = (s: LogSpot): string => `${s.topic}/${s.partition}@${s.offset}`

/** One line per problem, as `verify` prints them. */
export function describeProblem(p: VersionProblem): string {
  switch (p.kind) {
    case 'duplicate':
      return `version ${p.version} again at ${spot(p.at)}${p.first ? ` (first at ${spot(p.first)})` : ''}${p.sameEvent ? ', same event id' : ''}`
    case 'gap': {
      const missing = p.missingFrom === p.missingTo ? `version ${p.missingFrom}` : `versions ${p.missingFrom}-${p.missingTo}`
      return `${missing} missing: ${p.after ? `after ${spot(p.after)} ` : ''}the next event is at ${spot(p.next)}`
    }
    case 'out-of-order':
      return `version ${p.version} at ${spot(p.at)} comes after higher versions`
    case 'misplaced':
      return `version ${p.version} at ${spot(p.at)} is outside the stream's partition ${p.expectedPartition}`
    case 'invalid':
      return `invalid version ${p.version} at ${spot(p.at)}`
  }
}
