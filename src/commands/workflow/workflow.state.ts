import type { WorkflowStepSpec } from '../../events/generated/event-types.ts'

export const WorkflowStatus = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const
export type WorkflowStatus = (typeof WorkflowStatus)[number]
/** `pending` until the step's task finishes; the read model adds `running` from the task. */
export type StepOutcome = 'pending' | 'completed' | 'failed' | 'skipped' | 'cancelled'

export type WorkflowState =
  | Readonly<{ exists: false }>
  | Readonly<{
      exists: true
      workflowId: string
      createdBy: string
      status: WorkflowStatus
      projectId: string | null
      steps: readonly WorkflowStepSpec[]
      outcomes: Readonly<Record<string, StepOutcome>>
    }>

export type ExistingWorkflow = Extract<WorkflowState, { exists: true }>

export const finishedWorkflow: ReadonlySet<WorkflowStatus> = new Set(['completed', 'failed', 'cancelled'])
