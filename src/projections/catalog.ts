import { deciders } from '../commands/deciders.ts'
import { agentsProjection } from './agents/agents.projection.ts'
import type { Projection } from './projection.ts'
import { poolsProjection } from './pools/pools.projection.ts'
import { queueStatsProjection } from './queue-stats/queue-stats.projection.ts'
import { createSnapshotsProjection } from './snapshots/snapshots.projection.ts'
import { tasksProjection } from './tasks/tasks.projection.ts'
import { taskFailuresProjection } from './task-failures/task-failures.projection.ts'
import { hitlRequestsProjection } from './hitl/hitl-requests.projection.ts'
import { projectsProjection } from './projects/projects.projection.ts'
import { workflowsProjection } from './workflows/workflows.projection.ts'
import { taskDependenciesProjection } from './tasks/task-dependencies.projection.ts'
import { taskAttemptsProjection } from './tasks/task-attempts.projection.ts'
import { createAggregateEventsProjection } from './history/aggregate-events.projection.ts'
import type { AggregateType } from '../events/envelope.ts'

/** Every projection the projector runs, by name. */
export const projections: readonly Projection[] = [
  createSnapshotsProjection(deciders),
  tasksProjection,
  taskDependenciesProjection,
  taskAttemptsProjection,
  createAggregateEventsProjection(Object.keys(deciders) as AggregateType[]),
  agentsProjection,
  poolsProjection,
  queueStatsProjection,
  taskFailuresProjection,
  hitlRequestsProjection,
  projectsProjection,
  workflowsProjection,
]

export const projectionByName = (name: string): Projection | undefined => projections.find((p) => p.name === name)
