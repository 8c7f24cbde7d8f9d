import { describe, expect, it } from 'vitest'
import { validateDag, parseStepTaskId } from '../src/commands/workflow/workflow-dag.ts'
import { workflowDecider } from '../src/commands/workflow/workflow.decider.ts'
import type { WorkflowEvent, WorkflowStepSpec } from '../src/events/generated/event-types.ts'
import { specFor } from './support/decider-spec.ts'

const spec = specFor(workflowDecider)
// the spec's events belong to aggregate `agg-1`, so step tasks are `agg-1.<step>`
const step = (stepId: string, dependsOn: string[] = [], optional = false): WorkflowStepSpec => ({
  stepId,
  title: `step ${stepId}`,
  pool: 'default',
  priority: 'NORMAL',
  payload: '{}',
  dependsOn,
  maxAttempts: 1,
  timeoutMs: 1_000,
  optional,
})
const steps = [step('a'), step('b', ['a']), step('c', ['a'], true)]
const create = (s: WorkflowStepSpec[] = steps, commandId = 'cmd-1') => ({
  type: 'CreateWorkflow' as const,
  commandId,
  name: 'release',
  description: null,
  projectId: 'p1',
  steps: s,
})
const created: WorkflowEvent = { type: 'WorkflowCreated', data: { name: 'release', description: null, projectId: 'p1', steps } }
const started: WorkflowEvent = { type: 'WorkflowStarted', data: { projectId: 'p1', steps } }
const record = (stepId: string, outcome: 'completed' | 'failed', error: string | null = null) => ({
  type: 'RecordWorkflowStep' as const,
  stepId,
  taskId: `agg-1.${stepId}`,
  outcome,
  error,
})
const aDone: WorkflowEvent = {
  type: 'WorkflowStepCompleted',
  data: { stepId: 'a', taskId: 'agg-1.a', dependencyId: 'agg-1.a', dependentTaskIds: ['agg-1.b', 'agg-1.c'] },
}
const bDone: WorkflowEvent = {
  type: 'WorkflowStepCompleted',
  data: { stepId: 'b', taskId: 'agg-1.b', dependencyId: 'agg-1.b', dependentTaskIds: [] },
}
const cancelled = (openTaskIds: string[]): WorkflowEvent => ({ type: 'WorkflowCancelled', data: { reason: 'stop', openTaskIds } })

describe('workflow DAG validation (pure)', () => {
  it('accepts a DAG', () => {
    expect(validateDag(steps)).toEqual([])
  })
  it('reports every problem: duplicates, unknown references, cycles incl. self-loops', () => {
    expect(validateDag([])).toEqual([{ kind: 'no-steps' }])
    expect(validateDag([step('a'), step('a')])).toEqual([{ kind: 'duplicate-step', stepId: 'a' }])
    expect(validateDag([step('a', ['x'])])).toEqual([{ kind: 'unknown-dependency', stepId: 'a', dependsOn: 'x' }])
    expect(validateDag([step('a', ['b', 'b']), step('b')])).toEqual([{ kind: 'duplicate-dependency', stepId: 'a', dependsOn: 'b' }])
    expect(validateDag([step('a', ['a'])])).toEqual([{ kind: 'cycle', steps: ['a', 'a'] }])
    expect(validateDag([step('a', ['c']), step('b', ['a']), step('c', ['b']), step('d', ['a'])])).toEqual([
      { kind: 'cycle', steps: ['a', 'c', 'b', 'a'] },
    ])
  })
  it('splits a step task id at its last dot', () => {
    expect(parseStepTaskId('wf.01.build')).toEqual({ workflowId: 'wf.01', stepId: 'build' })
    expect(parseStepTaskId('01HXYZ')).toBeUndefined()
  })
})

describe('workflow decider', () => {
  it('creates a valid workflow; a repeat is a no-op; an invalid DAG is refused', () => {
    spec.given([]).when(create()).then([created])
    spec
      .given([[created, { commandId: 'cmd-1' }]])
      .when(create())
      .then([])
    spec
      .given([[created, { commandId: 'cmd-1' }]])
      .when(create(steps, 'cmd-2'))
      .thenThrows('workflow.already-exists')
    spec
      .given([])
      .when(create([step('a', ['b']), step('b', ['a'])]))
      .thenThrows('workflow.invalid-dag')
  })
  it('starts once, carrying the steps', () => {
    spec.given([created]).when({ type: 'StartWorkflow' }).then([started])
    spec.given([created, started]).when({ type: 'StartWorkflow' }).then([])
    spec.given([]).when({ type: 'StartWorkflow' }).thenThrows('workflow.not-found')
  })
  it('settles steps with their dependents and completes with the last one', () => {
    spec.given([created, started]).when(record('a', 'completed')).then([aDone])
    spec.given([created, started, aDone]).when(record('a', 'completed')).then([])
    spec
      .given([created, started, aDone, bDone])
      .when(record('c', 'completed'))
      .then([
        { type: 'WorkflowStepCompleted', data: { stepId: 'c', taskId: 'agg-1.c', dependencyId: 'agg-1.c:settled', dependentTaskIds: [] } },
        { type: 'WorkflowCompleted', data: { completedSteps: 3, skippedSteps: 0 } },
      ])
  })
  it('skips a failing optional step and completes without it', () => {
    spec
      .given([created, started, aDone, bDone])
      .when(record('c', 'failed', 'boom'))
      .then([
        {
          type: 'WorkflowStepSkipped',
          data: { stepId: 'c', taskId: 'agg-1.c', error: 'boom', dependencyId: 'agg-1.c:settled', dependentTaskIds: [] },
        },
        { type: 'WorkflowCompleted', data: { completedSteps: 2, skippedSteps: 1 } },
      ])
  })
  it('fails on a required step and names the open tasks to cancel', () => {
    spec
      .given([created, started, aDone])
      .when(record('b', 'failed', 'boom'))
      .then([
        { type: 'WorkflowStepFailed', data: { stepId: 'b', taskId: 'agg-1.b', error: 'boom' } },
        { type: 'WorkflowFailed', data: { stepId: 'b', error: 'boom', openTaskIds: ['agg-1.c'] } },
      ])
  })
  it('ignores task outcomes once the workflow stopped; refuses unknown steps', () => {
    spec
      .given([created, started, cancelled(['agg-1.a', 'agg-1.b', 'agg-1.c'])])
      .when(record('a', 'failed'))
      .then([])
    spec.given([created, started]).when(record('zz', 'completed')).thenThrows('workflow.unknown-step')
    spec
      .given([created, started])
      .when({ ...record('a', 'completed'), taskId: 'other.a' })
      .thenThrows('workflow.unknown-step')
  })
  it('cancels a pending or running workflow once; refuses a finished one', () => {
    spec
      .given([created])
      .when({ type: 'CancelWorkflow', reason: 'stop' })
      .then([cancelled([])])
    spec
      .given([created, started, aDone])
      .when({ type: 'CancelWorkflow', reason: 'stop' })
      .then([cancelled(['agg-1.b', 'agg-1.c'])])
    spec
      .given([created, cancelled([])])
      .when({ type: 'CancelWorkflow', reason: 'stop' })
      .then([])
    spec
      .given([
        created,
        started,
        { type: 'WorkflowStepFailed', data: { stepId: 'a', taskId: 'agg-1.a', error: 'x' } },
        { type: 'WorkflowFailed', data: { stepId: 'a', error: 'x', openTaskIds: [] } },
      ])
      .when({ type: 'CancelWorkflow', reason: 'stop' })
      .thenThrows('workflow.finished')
    spec
      .given([created, cancelled([])])
      .when({ type: 'StartWorkflow' })
      .thenThrows('workflow.finished')
  })
})
