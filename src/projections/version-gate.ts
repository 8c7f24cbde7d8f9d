import type { StoredEvent } from '../events/envelope.ts'

/** A stream's last applied version; `eventId` unknown (undefined) when read from a read model's own rows. */
export type StreamVersion = Readonly<{ version: number; eventId?: string }>

export type Conflict = Readonly<{ event: StoredEvent; stream: string; kind: 'duplicate-version' | 'gap'; expected: number }>

export type GateResult = Readonly<{
  /** events to apply, in log order */
  accepted: readonly { event: StoredEvent; stream: string }[]
  duplicates: number
  conflicts: readonly Conflict[]
  /** the new last-applied version of every stream that moved */
  versions: ReadonlyMap<string, StreamVersion>
}>

/**
 * Applies an event only if its version is exactly the next one of its stream. A lower version,
 * or the same version with the same event id, is a redelivery (skip). The same version with a
 * different event id means two writers appended one version: the first in the log wins, the
 * other is a conflict. A version beyond the next one is a gap: skipped and reported.
 */
export function gateByVersion(
  events: readonly StoredEvent[],
  streamOf: (e: StoredEvent) => string,
  known: ReadonlyMap<string, StreamVersion>,
): GateResult {
  const versions = new Map<string, StreamVersion>()
  const accepted: { event: StoredEvent; stream: string }[] = []
  const conflicts: Conflict[] = []
  let duplicates = 0
  for (const event of events) {
    const stream = streamOf(event)
    const current = versions.get(stream) ?? known.get(stream) ?? { version: 0, eventId: '' }
    const v = event.meta.version
    if (v === current.version + 1) {
      accepted.push({ event, stream })
      versions.set(stream, { version: v, eventId: event.meta.eventId })
    } else if (v === current.version && current.eventId !== undefined && event.meta.eventId !== current.eventId) {
      conflicts.push({ event, stream, kind: 'duplicate-version', expected: current.version + 1 })
    } else if (v > current.version + 1) {
      conflicts.push({ event, stream, kind: 'gap', expected: current.version + 1 })
    } else {
      duplicates++
    }
  }
  return { accepted, duplicates, conflicts, versions }
}
