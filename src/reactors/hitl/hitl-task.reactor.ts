import { setTimeout as sleep } from 'node:timers/promises'
import { taskDecider } from '../../commands/task/task.decider.ts'
import { AppError } from '../../errors.ts'
import { eachStream, reactionContext, type Reactor } from '../reactor.ts'

const actor = 'hitl-tasks'
/** The task parks right after its request is raised: an answer may arrive in between. */
const parkWaits = 20
const parkPauseMs = 100

/**
 * Carries HITL outcomes to the waiting task: an answer resumes it (TaskInputReceived +
 * TaskQueued 'resumed'); an expired or cancelled request cancels it. A task that already
 * finished refuses, which is fine.
 */
export const hitlTaskReactor: Reactor = {
  name: 'hitl-tasks',
  aggregates: ['hitl'],
  create: ({ execute, services }) => {
    const log = services.logger.child({ reactor: actor })
    return {
      react: eachStream(async (event) => {
        const requestId = event.meta.aggregateId
        if (event.type === 'HitlResponded' && event.data.taskId !== null) {
          const taskId = event.data.taskId
          const response: unknown = JSON.parse(event.data.response)
          for (let attempt = 0; ; attempt++) {
            try {
              await execute('task', taskId, taskDecider, { type: 'ProvideTaskInput', requestId, response }, reactionContext(event, actor))
              return
            } catch (error) {
              const stillRunning =
                error instanceof AppError &&
                error.code === 'task.not-awaiting-input' &&
                ['running', 'claimed'].includes(String(error.details?.status))
              if (!stillRunning || attempt >= parkWaits) throw error
              await sleep(parkPauseMs)
            }
          }
        }
        if (event.type === 'HitlExpired' && event.data.taskId !== null) {
          await execute(
            'task',
            event.data.taskId,
            taskDecider,
            { type: 'CancelTask', reason: `input request ${requestId} expired` },
            reactionContext(event, actor),
          )
          log.info({ taskId: event.data.taskId, requestId }, 'input request expired: task cancelled')
        }
        if (event.type === 'HitlCancelled' && event.data.taskId !== null && event.data.cancelTask) {
          const why = event.data.reason === null ? '' : `: ${event.data.reason}`
          await execute(
            'task',
            event.data.taskId,
            taskDecider,
            { type: 'CancelTask', reason: `input request ${requestId} cancelled${why}` },
            reactionContext(event, actor),
          )
        }
      }, log),
    }
  },
}
