import { AppError } from '../errors.ts'
import type { ProjectorGroup } from './group-apply.ts'
import type { Projection } from './projection.ts'

/** A projector group as configured: a name and its projections, `*` meaning every projection no other group names. */
export type GroupSpec = Readonly<{ name: string; projections: '*' | readonly string[] }>

/** The Kafka consumer group of a projector group. */
export const projectorGroupId = (prefix: string, group: string): string => `${prefix}.projector.${group}`

/**
 * Resolves the configured groups against the projection catalog: every projection runs in
 * exactly one group (a projection in two groups would fold its events twice into one table).
 */
export function resolveGroups(specs: readonly GroupSpec[], catalog: readonly Projection[]): ProjectorGroup[] {
  const byName = new Map(catalog.map((p) => [p.name, p]))
  const named = specs.flatMap((s) => (s.projections === '*' ? [] : s.projections))
  const unknown = named.filter((n) => !byName.has(n))
  if (unknown.length > 0) throw new AppError('projector.unknown-projection', `unknown projection ${unknown.join(', ')} in AGENTFLEET_PROJECTOR_GROUPS (known: ${[...byName.keys()].join(', ')})`)
  const twice = named.filter((n, i) => named.indexOf(n) !== i)
  if (twice.length > 0) throw new AppError('projector.projection-in-two-groups', `${[...new Set(twice)].join(', ')} named by two projector groups`)
  if (specs.filter((s) => s.projections === '*').length > 1) throw new AppError('projector.two-catch-alls', 'only one projector group may take the rest (*)')
  const rest = catalog.filter((p) => !named.includes(p.name))
  const groups = specs.map((s) => ({ consumer: s.name, projections: s.projections === '*' ? rest : s.projections.map((n) => byName.get(n)!) }))
  const orphans = specs.some((s) => s.projections === '*') ? [] : rest
  if (orphans.length > 0) throw new AppError('projector.unassigned-projection', `${orphans.map((p) => p.name).join(', ')} in no projector group; add them to one, or end AGENTFLEET_PROJECTOR_GROUPS with a group of * (the rest)`)
  return groups.filter((g) => g.projections.length > 0)
}

/** Each projection with the group that runs it (its group's checkpoints are its position). */
export const projectionPlacements = (groups: readonly ProjectorGroup[]): { name: string; aggregates: readonly string[]; group: string }[] =>
  groups.flatMap((g) => g.projections.map((p) => ({ name: p.name, aggregates: p.aggregates, group: g.consumer })))

/** The group that runs a projection. */
export const groupOf = (groups: readonly ProjectorGroup[], projection: string): ProjectorGroup | undefined =>
  groups.find((g) => g.projections.some((p) => p.name === projection))
