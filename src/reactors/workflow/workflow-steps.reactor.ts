import { parseStepTaskId } from '../../commands/workflow/workflow-dag.ts'
import { workflowDecider } from '../../commands/workflow/workflow.decider.ts'
import type { StoredEvent } from '../../events/envelope.ts'
import { eachStream, reactionContext, type Reactor } from '../reactor.ts'

const actor = 'workflow-steps'

/** The outcome a task event means for its step, if it is final. Retryable failures are not. */
function outcomeOf(event: StoredEvent): { outcome: 'completed' | 'failed'; error: string | null } | undefined {
  switch (event.type) {
    case 'TaskCompleted':
      return { outcome: 'completed', error: null }
    case 'TaskFailed':
      return event.data.retryable ? undefined : { outcome: 'failed', error: event.data.error }
    case 'TaskDeadLettered':
      return { outcome: 'failed', error: `dead-lettered after ${event.data.attempts} attempts: ${event.data.lastError}` }
    case 'TaskCancelled':
      return { outcome: 'failed', error: `cancelled${event.data.reason === null ? '' : `: ${event.data.reason}`}` }
    default:
      return undefined
  }
}

/**
 * Follows the tasks of workflows (ids `<workflowId>.<stepId>`) and records each final outcome on
 * the workflow. The workflow's own state maps task to step: a task id that only looks like a
 * step's is refused there (unknown workflow or step) and skipped.
 */
export const workflowStepsReactor: Reactor = {
  name: 'workflow-steps',
  aggregates: ['task'],
  create: ({ execute, services }) => ({
    react: eachStream(
      async (event) => {
        const outcome = outcomeOf(event)
        const ids = outcome && parseStepTaskId(event.meta.aggregateId)
        if (!outcome || !ids) return
        await execute(
          'workflow',
          ids.workflowId,
          workflowDecider,
          {
            type: 'RecordWorkflowStep',
            stepId: ids.stepId,
            taskId: event.meta.aggregateId,
            outcome: outcome.outcome,
            error: outcome.error,
          },
          reactionContext(event, actor),
        )
      },
      services.logger.child({ reactor: actor }),
    ),
  }),
}
