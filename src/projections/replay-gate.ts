import type { Transaction } from 'kysely'
import type { Database } from '../database/schema.ts'
import { AppError } from '../errors.ts'
import type { StoredEvent } from '../events/envelope.ts'
import { applyProjection } from './group-apply.ts'
import { streamOf, type Projection } from './projection.ts'
import { rowVersions } from './row-writer.ts'
import { gateByVersion } from './version-gate.ts'

export type ReplayOutcome = Readonly<{ applied: number; duplicates: number; gaps: number }>

/** Whether a replay to this one projection can be gated by its own tables. */
export const replayable = (p: Projection): boolean => (p.kind === 'row' ? !p.sparse : p.appliedVersions !== undefined)

/**
 * Re-delivers events of one partition to one projection and to nothing else, outside its group's
 * flow: the projection's own rows say which versions it holds (a row projection's `version`
 * column), so replaying twice changes nothing and a lost row is folded again. The group's
 * checkpoints and stream heads stay as they are.
 */
export async function replayToProjection(
  tx: Transaction<Database>,
  projection: Projection,
  events: readonly StoredEvent[],
): Promise<ReplayOutcome> {
  const mine = events.filter((e) => projection.aggregates.includes(e.aggregateType))
  if (mine.length === 0) return { applied: 0, duplicates: 0, gaps: 0 }
  const versions =
    projection.kind === 'row' && !projection.sparse
      ? await rowVersions(tx, projection, mine)
      : projection.kind === 'sql' && projection.appliedVersions
        ? await projection.appliedVersions(tx, [...new Set(mine.map(streamOf))])
        : notReplayable(projection)
  const gate = gateByVersion(mine, streamOf, new Map([...versions].map(([s, version]) => [s, { version }])))
  await applyProjection(
    tx,
    projection,
    gate.accepted.map((a) => a.event),
  )
  // A version beyond the next is not this replay's business: the live group records real gaps.
  return { applied: gate.accepted.length, duplicates: gate.duplicates, gaps: gate.conflicts.length }
}

function notReplayable(p: Projection): never {
  throw new AppError(
    'replay.not-replayable',
    `${p.name} keeps no per-stream version in its tables, so a replay cannot tell what it holds; rebuild it instead: agentfleet rebuild ${p.name}`,
  )
}
