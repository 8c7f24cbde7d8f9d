import { deciders } from '../commands/deciders.ts'
import type { Projection } from './projection.ts'
import { createSnapshotsProjection } from './snapshots/snapshots.projection.ts'
import { tasksProjection } from './tasks/tasks.projection.ts'
import { taskFailuresProjection } from './task-failures/task-failures.projection.ts'

/** Every projection the projector runs, by name. */
export const projections: readonly Projection[] = [
  createSnapshotsProjection(deciders),
  tasksProjection,
  taskFailuresProjection,
]

export const projectionByName = (name: string): Projection | undefined => projections.find((p) => p.name === name)
