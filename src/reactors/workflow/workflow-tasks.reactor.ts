import type { CommandContext, CommandHandler } from '../../commands/handle-command.ts'
import { taskDecider } from '../../commands/task/task.decider.ts'
import type { TaskCommand } from '../../commands/task/task.commands.ts'
import { stepDependencyId, stepTaskId } from '../../commands/workflow/workflow-dag.ts'
import { AppError } from '../../errors.ts'
import type { StoredEvent } from '../../events/envelope.ts'
import type { Logger } from '../../infra/logger.ts'
import { eachStream, reactionContext, type Reactor } from '../reactor.ts'

const actor = 'workflow-tasks'

/** Issues one command per task, in parallel; a task that refuses (finished, unknown) does not stop the others. */
async function forEachTask(
  execute: CommandHandler,
  log: Logger,
  event: StoredEvent,
  taskIds: readonly string[],
  command: (taskId: string) => TaskCommand,
  ctx: (taskId: string) => CommandContext,
) {
  await Promise.all(
    taskIds.map(async (taskId) => {
      try {
        await execute('task', taskId, taskDecider, command(taskId), ctx(taskId))
      } catch (error) {
        if (!(error instanceof AppError) || error.retriable) throw error
        log.debug({ taskId, code: error.code, eventType: event.type }, 'task refused the workflow command')
      }
    }),
  )
}

/**
 * Drives a workflow's tasks: creates one task per step when it starts (deterministic ids and
 * command ids, so a redelivered start creates nothing twice), releases the dependents of every
 * settled step, and cancels the open tasks of a failed or cancelled workflow.
 */
export const workflowTasksReactor: Reactor = {
  name: 'workflow-tasks',
  aggregates: ['workflow'],
  create: ({ execute, services }) => ({
    react: eachStream(
      async (event) => {
        const log = services.logger.child({ reactor: actor })
        const workflowId = event.meta.aggregateId
        const ctx = (taskId: string) => reactionContext(event, actor, `:${taskId}`)
        switch (event.type) {
          case 'WorkflowStarted': {
            const { steps, projectId } = event.data
            const byId = new Map(steps.map((s) => [s.stepId, s]))
            await forEachTask(
              execute,
              log,
              event,
              steps.map((s) => stepTaskId(workflowId, s.stepId)),
              (taskId) => {
                const step = byId.get(taskId.slice(workflowId.length + 1))!
                return {
                  type: 'CreateTask',
                  taskId,
                  commandId: `${actor}:${event.meta.eventId}:${taskId}`,
                  title: step.title,
                  description: null,
                  pool: step.pool,
                  role: null,
                  priority: step.priority,
                  payload: JSON.parse(step.payload),
                  metadata: { workflowId, stepId: step.stepId },
                  maxAttempts: step.maxAttempts,
                  timeoutMs: step.timeoutMs,
                  projectId,
                  workflowId,
                  dependsOn: step.dependsOn.map((d) => stepDependencyId(stepTaskId(workflowId, d), byId.get(d)?.optional ?? false)),
                }
              },
              ctx,
            )
            return
          }
          case 'WorkflowStepCompleted':
          case 'WorkflowStepSkipped': {
            const { dependencyId } = event.data
            await forEachTask(
              execute,
              log,
              event,
              event.data.dependentTaskIds,
              () => ({ type: 'ResolveTaskDependency', dependencyId }),
              ctx,
            )
            return
          }
          case 'WorkflowFailed': {
            const reason = `workflow ${workflowId} failed at step ${event.data.stepId}`
            await forEachTask(execute, log, event, event.data.openTaskIds, () => ({ type: 'CancelTask', reason }), ctx)
            return
          }
          case 'WorkflowCancelled': {
            const reason = `workflow ${workflowId} cancelled${event.data.reason === null ? '' : `: ${event.data.reason}`}`
            await forEachTask(execute, log, event, event.data.openTaskIds, () => ({ type: 'CancelTask', reason }), ctx)
            return
          }
          default:
            return
        }
      },
      services.logger.child({ reactor: actor }),
    ),
  }),
}
