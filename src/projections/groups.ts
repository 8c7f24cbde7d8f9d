import { resolveGroups as resolve, type GroupSpec } from '../eventstore/consumer-groups.ts'
import type { ProjectorGroup } from './group-apply.ts'
import type { Projection } from './projection.ts'

/** The Kafka consumer group of a projector group. */
export const projectorGroupId = (prefix: string, group: string): string => `${prefix}.projector.${group}`

/** Projector groups from their configuration: every projection runs in exactly one group. */
export const resolveGroups = (specs: readonly GroupSpec[], catalog: readonly Projection[]): ProjectorGroup[] =>
  resolve(specs, catalog, { kind: 'projection', setting: 'AGENTFLEET_PROJECTOR_GROUPS' }).map((g) => ({
    consumer: g.name,
    projections: g.members,
  }))

/** Each projection with the group that runs it (its group's checkpoints are its position). */
export const projectionPlacements = (groups: readonly ProjectorGroup[]): { name: string; aggregates: readonly string[]; group: string }[] =>
  groups.flatMap((g) => g.projections.map((p) => ({ name: p.name, aggregates: p.aggregates, group: g.consumer })))

/** The group that runs a projection. */
export const groupOf = (groups: readonly ProjectorGroup[], projection: string): ProjectorGroup | undefined =>
  groups.find((g) => g.projections.some((p) => p.name === projection))
