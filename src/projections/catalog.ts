import { deciders } from '../commands/deciders.ts'
import type { Projection } from './projection.ts'
import { createSnapshotsProjection } from './snapshots/snapshots.projection.ts'
import { tasksProjection } from './tasks/tasks.projection.ts'
import { hitlRequestsProjection } from './hitl/hitl-requests.projection.ts'
import { projectsProjection } from './projects/projects.projection.ts'
import { workflowsProjection } from './workflows/workflows.projection.ts'

/** Every projection the projector runs, by name. */
export const projections: readonly Projection[] = [
  createSnapshotsProjection(deciders),
  tasksProjection,
  hitlRequestsProjection,
  projectsProjection,
  workflowsProjection,
]

export const projectionByName = (name: string): Projection | undefined => projections.find((p) => p.name === name)
