import type { WorkflowStepSpec } from '../../events/generated/event-types.ts'

export type CreateWorkflow = Readonly<{
  type: 'CreateWorkflow'
  commandId: string
  name: string
  description: string | null
  projectId: string | null
  steps: readonly WorkflowStepSpec[]
}>

export type StartWorkflow = Readonly<{ type: 'StartWorkflow' }>
/** A step's task finished (issued by the reactor that follows the workflow's tasks). */
export type RecordWorkflowStep = Readonly<{
  type: 'RecordWorkflowStep'
  stepId: string
  taskId: string
  outcome: 'completed' | 'failed'
  error: string | null
}>
export type CancelWorkflow = Readonly<{ type: 'CancelWorkflow'; reason: string | null }>

export type WorkflowCommand = CreateWorkflow | StartWorkflow | RecordWorkflowStep | CancelWorkflow
