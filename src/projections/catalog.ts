import { deciders } from '../commands/deciders.ts'
import { agentsProjection } from './agents/agents.projection.ts'
import type { Projection } from './projection.ts'
import { poolsProjection } from './pools/pools.projection.ts'
import { queueStatsProjection } from './queue-stats/queue-stats.projection.ts'
import { createSnapshotsProjection } from './snapshots/snapshots.projection.ts'
import { tasksProjection } from './tasks/tasks.projection.ts'
import { taskFailuresProjection } from './task-failures/task-failures.projection.ts'

/** Every projection the projector runs, by name. */
export const projections: readonly Projection[] = [
  createSnapshotsProjection(deciders),
  tasksProjection,
  agentsProjection,
  poolsProjection,
  queueStatsProjection,
  taskFailuresProjection,
]

export const projectionByName = (name: string): Projection | undefined => projections.find((p) => p.name === name)
