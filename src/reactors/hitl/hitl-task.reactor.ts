import { fold } from '../../commands/decider.ts'
import { hitlDecider } from '../../commands/hitl/hitl.decider.ts'
import { taskDecider } from '../../commands/task/task.decider.ts'
import { AppError } from '../../errors.ts'
import type { EventsByAggregate, StoredEvent } from '../../events/envelope.ts'
import { eachStream, reactionContext, type Reactor, type ReactorDeps } from '../reactor.ts'

const actor = 'hitl-tasks'

/** The task runs until it parks on its request: an answer given before that is delivered when it parks. */
const notParkedYet = (error: unknown): boolean =>
  error instanceof AppError &&
  error.code === 'task.not-awaiting-input' &&
  ['running', 'claimed'].includes(String(error.details?.taskStatus))

/**
 * Carries HITL outcomes to the waiting task: an answer resumes it (TaskInputReceived +
 * TaskQueued 'resumed'); an expired or cancelled request cancels it. A task that already
 * finished refuses, which is fine. An answer can arrive between the request being raised and
 * the task parking on it; rather than wait for the park while holding the partition, the
 * reaction to the park (TaskInputRequested) reads the request from the log and delivers an
 * answer it finds. One of the two always sees the other: whichever is appended second.
 */
export const hitlTaskReactor: Reactor = {
  name: 'hitl-tasks',
  aggregates: ['hitl', 'task'],
  create: (deps) => {
    const log = deps.services.logger.child({ reactor: actor })
    const provide = async (taskId: string, requestId: string, response: string, cause: StoredEvent) => {
      const input = { type: 'ProvideTaskInput' as const, requestId, response: JSON.parse(response) as unknown }
      await deps.execute('task', taskId, taskDecider, input, reactionContext(cause, actor))
    }
    return {
      react: eachStream(async (event) => {
        if (event.type === 'TaskInputRequested') return deliverEarlyAnswer(deps, event, provide)
        if (event.aggregateType !== 'hitl') return
        const requestId = event.meta.aggregateId
        if (event.type === 'HitlResponded' && event.data.taskId !== null) {
          try {
            await provide(event.data.taskId, requestId, event.data.response, event)
          } catch (error) {
            if (!notParkedYet(error)) throw error
            log.debug({ taskId: event.data.taskId, requestId }, 'answer before the task parked: delivered when it does')
          }
        }
        if (event.type === 'HitlExpired' && event.data.taskId !== null) {
          const cancel = { type: 'CancelTask' as const, reason: `input request ${requestId} expired` }
          await deps.execute('task', event.data.taskId, taskDecider, cancel, reactionContext(event, actor))
          log.info({ taskId: event.data.taskId, requestId }, 'input request expired: task cancelled')
        }
        if (event.type === 'HitlCancelled' && event.data.taskId !== null && event.data.cancelTask) {
          const why = event.data.reason === null ? '' : `: ${event.data.reason}`
          const cancel = { type: 'CancelTask' as const, reason: `input request ${requestId} cancelled${why}` }
          await deps.execute('task', event.data.taskId, taskDecider, cancel, reactionContext(event, actor))
        }
      }, log),
    }
  },
}

/** The task parked on a request: if the request was answered meanwhile, the answer goes in now. */
async function deliverEarlyAnswer(
  deps: ReactorDeps,
  event: Extract<StoredEvent, { type: 'TaskInputRequested' }>,
  provide: (taskId: string, requestId: string, response: string, cause: StoredEvent) => Promise<void>,
): Promise<void> {
  const { requestId } = event.data
  const events = (await deps.readStream('hitl', requestId)) as StoredEvent<EventsByAggregate['hitl']>[]
  const request = fold(hitlDecider, events)
  if (request.exists && request.status === 'answered' && request.response !== null)
    await provide(event.meta.aggregateId, requestId, request.response, event)
}
