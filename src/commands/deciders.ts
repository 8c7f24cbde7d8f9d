import type { AggregateType } from '../events/envelope.ts'
import type { AnyDecider } from './decider.ts'
import { agentDecider } from './agent/agent.decider.ts'
import { poolDecider } from './pool/pool.decider.ts'
import { taskDecider } from './task/task.decider.ts'
import { hitlDecider } from './hitl/hitl.decider.ts'
import { projectDecider } from './project/project.decider.ts'
import { workflowDecider } from './workflow/workflow.decider.ts'

/** Every aggregate type's decider: the snapshot projection folds the log with them. */
export const deciders: Readonly<Record<AggregateType, AnyDecider>> = {
  task: taskDecider,
  agent: agentDecider,
  pool: poolDecider,
  hitl: hitlDecider,
  project: projectDecider,
  workflow: workflowDecider,
}
