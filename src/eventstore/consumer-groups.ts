import type { GroupSpec } from '../config.ts'
import { AppError } from '../errors.ts'

export type { GroupSpec }

export type ResolvedGroup<T> = Readonly<{ name: string; members: readonly T[] }>

/**
 * The group a member runs in, from the configuration alone (no catalog needed): the group that
 * names it, else the one that takes the rest.
 */
export const groupNaming = (specs: readonly GroupSpec[], member: string): string | undefined =>
  (specs.find((s) => s.members !== '*' && s.members.includes(member)) ?? specs.find((s) => s.members === '*'))?.name

/**
 * Resolves configured groups against a catalog (projections, reactors): every member runs in
 * exactly one group — a member in two groups would see every event twice.
 */
export function resolveGroups<T extends { name: string }>(
  specs: readonly GroupSpec[],
  catalog: readonly T[],
  what: { kind: string; setting: string },
): ResolvedGroup<T>[] {
  const byName = new Map(catalog.map((m) => [m.name, m]))
  const named = specs.flatMap((s) => (s.members === '*' ? [] : s.members))
  const unknown = named.filter((n) => !byName.has(n))
  if (unknown.length > 0)
    throw new AppError(
      'groups.unknown-member',
      `unknown ${what.kind} ${unknown.join(', ')} in ${what.setting} (known: ${[...byName.keys()].join(', ')})`,
    )
  const twice = named.filter((n, i) => named.indexOf(n) !== i)
  if (twice.length > 0)
    throw new AppError('groups.member-in-two-groups', `${[...new Set(twice)].join(', ')} named by two groups of ${what.setting}`)
  if (specs.filter((s) => s.members === '*').length > 1)
    throw new AppError('groups.two-catch-alls', `only one group of ${what.setting} may take the rest (*)`)
  const rest = catalog.filter((m) => !named.includes(m.name))
  if (!specs.some((s) => s.members === '*') && rest.length > 0) {
    throw new AppError(
      'groups.unassigned-member',
      `${rest.map((m) => m.name).join(', ')} in no group of ${what.setting}; add them to one, or end it with a group of * (the rest)`,
    )
  }
  return specs
    .map((s) => ({ name: s.name, members: s.members === '*' ? rest : s.members.map((n) => byName.get(n)!) }))
    .filter((g) => g.members.length > 0)
}
