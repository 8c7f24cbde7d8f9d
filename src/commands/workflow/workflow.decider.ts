import { DomainError } from '../../errors.ts'
import type { EventMeta } from '../../events/envelope.ts'
import type { WorkflowEvent } from '../../events/generated/event-types.ts'
import { assertNever, type Decider } from '../decider.ts'
import type * as C from './workflow.commands.ts'
import { stepDependencyId, stepTaskId, validateDag } from './workflow-dag.ts'
import { finishedWorkflow, type ExistingWorkflow, type StepOutcome, type WorkflowState } from './workflow.state.ts'

type Events = WorkflowEvent[]

const refuse = (code: string, message: string, details?: Record<string, unknown>): never => {
  throw new DomainError(code, message, { details })
}

const mustExist = (state: WorkflowState): ExistingWorkflow =>
  state.exists ? state : refuse('workflow.not-found', 'the workflow does not exist')

const notFinished = (w: ExistingWorkflow): ExistingWorkflow =>
  finishedWorkflow.has(w.status) ? refuse('workflow.finished', `the workflow is ${w.status}`, { status: w.status }) : w

/** Tasks of the steps that have not settled yet: they are cancelled when the workflow stops. */
const openTaskIds = (w: ExistingWorkflow): string[] =>
  w.steps.filter((s) => w.outcomes[s.stepId] === 'pending').map((s) => stepTaskId(w.workflowId, s.stepId))

const dependentsOf = (w: ExistingWorkflow, stepId: string): string[] =>
  w.steps.filter((s) => s.dependsOn.includes(stepId)).map((s) => stepTaskId(w.workflowId, s.stepId))

const create = (c: C.CreateWorkflow, state: WorkflowState): Events => {
  if (state.exists)
    return state.createdBy === c.commandId ? [] : refuse('workflow.already-exists', 'a workflow with this id already exists')
  const problems = validateDag(c.steps)
  if (problems.length > 0) refuse('workflow.invalid-dag', 'the steps do not form a valid DAG', { problems })
  return [{ type: 'WorkflowCreated', data: { name: c.name, description: c.description, projectId: c.projectId, steps: [...c.steps] } }]
}

const start = (_c: C.StartWorkflow, state: WorkflowState): Events => {
  const w = mustExist(state)
  if (w.status === 'running') return []
  notFinished(w)
  return [{ type: 'WorkflowStarted', data: { projectId: w.projectId, steps: [...w.steps] } }]
}

/** Settles one step; the step that settles the last one also completes the workflow. */
const recordStep = (c: C.RecordWorkflowStep, state: WorkflowState): Events => {
  const w = mustExist(state)
  // Task events that arrive after the workflow stopped (the cancellations it caused) change nothing.
  if (w.status !== 'running') return []
  const step = w.steps.find((s) => s.stepId === c.stepId)
  if (!step || stepTaskId(w.workflowId, step.stepId) !== c.taskId)
    return refuse('workflow.unknown-step', `the workflow has no step ${c.stepId} run by task ${c.taskId}`)
  if (w.outcomes[step.stepId] !== 'pending') return []
  const error = c.error ?? 'the task did not complete'
  const settle = {
    stepId: step.stepId,
    taskId: c.taskId,
    dependencyId: stepDependencyId(c.taskId, step.optional),
    dependentTaskIds: dependentsOf(w, step.stepId),
  }
  let settled: WorkflowEvent
  if (c.outcome === 'completed') settled = { type: 'WorkflowStepCompleted', data: settle }
  else if (step.optional) settled = { type: 'WorkflowStepSkipped', data: { ...settle, error } }
  else {
    const after = { ...w, outcomes: { ...w.outcomes, [step.stepId]: 'failed' as StepOutcome } }
    return [
      { type: 'WorkflowStepFailed', data: { stepId: step.stepId, taskId: c.taskId, error } },
      { type: 'WorkflowFailed', data: { stepId: step.stepId, error, openTaskIds: openTaskIds(after) } },
    ]
  }
  const outcomes = { ...w.outcomes, [step.stepId]: settled.type === 'WorkflowStepCompleted' ? 'completed' : 'skipped' }
  const values = Object.values(outcomes)
  if (values.some((o) => o === 'pending')) return [settled]
  const count = (o: StepOutcome) => values.filter((v) => v === o).length
  return [settled, { type: 'WorkflowCompleted', data: { completedSteps: count('completed'), skippedSteps: count('skipped') } }]
}

const cancel = (c: C.CancelWorkflow, state: WorkflowState): Events => {
  const w = mustExist(state)
  if (w.status === 'cancelled') return []
  notFinished(w)
  return [{ type: 'WorkflowCancelled', data: { reason: c.reason, openTaskIds: w.status === 'running' ? openTaskIds(w) : [] } }]
}

const markOpen = (w: ExistingWorkflow, outcome: StepOutcome): Record<string, StepOutcome> =>
  Object.fromEntries(Object.entries(w.outcomes).map(([id, o]) => [id, o === 'pending' ? outcome : o]))

export function evolveWorkflow(state: WorkflowState, event: WorkflowEvent, meta: EventMeta): WorkflowState {
  if (event.type === 'WorkflowCreated') {
    const d = event.data
    return {
      exists: true,
      workflowId: meta.aggregateId,
      createdBy: meta.commandId,
      status: 'pending',
      projectId: d.projectId,
      steps: [...d.steps],
      outcomes: Object.fromEntries(d.steps.map((s) => [s.stepId, 'pending'])),
    }
  }
  if (!state.exists) return state
  const w = state
  const outcome = (stepId: string, o: StepOutcome) => ({ ...w, outcomes: { ...w.outcomes, [stepId]: o } })
  switch (event.type) {
    case 'WorkflowStarted':
      return { ...w, status: 'running' }
    case 'WorkflowStepCompleted':
      return outcome(event.data.stepId, 'completed')
    case 'WorkflowStepSkipped':
      return outcome(event.data.stepId, 'skipped')
    case 'WorkflowStepFailed':
      return outcome(event.data.stepId, 'failed')
    case 'WorkflowCompleted':
      return { ...w, status: 'completed' }
    case 'WorkflowFailed':
      return { ...w, status: 'failed', outcomes: markOpen(w, 'cancelled') }
    case 'WorkflowCancelled':
      return { ...w, status: 'cancelled', outcomes: markOpen(w, 'cancelled') }
    default:
      return assertNever(event)
  }
}

/** pending → running → completed | failed; pending | running → cancelled. */
export const decideWorkflow = (command: C.WorkflowCommand, state: WorkflowState): Events => {
  switch (command.type) {
    case 'CreateWorkflow':
      return create(command, state)
    case 'StartWorkflow':
      return start(command, state)
    case 'RecordWorkflowStep':
      return recordStep(command, state)
    case 'CancelWorkflow':
      return cancel(command, state)
    default:
      return assertNever(command)
  }
}

export const workflowDecider: Decider<WorkflowState, C.WorkflowCommand, WorkflowEvent> = {
  initialState: () => ({ exists: false }),
  decide: decideWorkflow,
  evolve: evolveWorkflow,
}
