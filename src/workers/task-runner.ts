import { newId } from '../infra/ids.ts'
import type { CommandHandler, CommandContext } from '../commands/handle-command.ts'
import { raiseInputRequest } from '../commands/raise-input-request.ts'
import { retryDelayFor, type RetryPolicy } from '../commands/task/retry-policy.ts'
import type { TaskCommand } from '../commands/task/task.commands.ts'
import { taskDecider } from '../commands/task/task.decider.ts'
import type { ExistingTask, TaskState } from '../commands/task/task.state.ts'
import { AppError } from '../errors.ts'
import type { DispatchRecord } from '../events/generated/event-types.ts'
import type { Logger } from '../infra/logger.ts'
import { abortError, abortReasonOf, whenAborted, type Handler, type HandlerContext } from './handlers/handler.ts'
import type { TaskLeases } from '../leases/task-leases.ts'

/** Refusals of StartTask meaning "someone else runs it, or it is over": skip the record. */
const skipCodes = new Set(['task.already-running', 'task.finished', 'task.stale-dispatch', 'task.not-startable', 'task.not-found'])
/** A dispatch record exists only for a queued task: "not found" means this process does not see it yet. */
const notYetSeen = 'task.not-found'

export type RunnerDeps = Readonly<{
  execute: CommandHandler
  leases: TaskLeases
  handler: Handler
  handlerConfig: Readonly<Record<string, unknown>>
  agentId: string
  leaseMs: number
  retryPolicy: RetryPolicy
  logger: Logger
  clock: () => number
}>

export type RunOutcome = 'completed' | 'failed' | 'parked' | 'skipped' | 'aborted'

/**
 * Runs one dispatch record: StartTask (a refusal means skip), a run lease extended while the
 * handler works, then CompleteTask / FailTask / RequestTaskInput under the lease's epoch.
 * `stop` aborts the handler (cancel, shutdown); the task's timeoutMs aborts it too.
 */
export function createTaskRunner(deps: RunnerDeps) {
  const send = async (taskId: string, command: TaskCommand, ctx: CommandContext) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await deps.execute('task', taskId, taskDecider, command, ctx)
      } catch (error) {
        const again = error instanceof AppError && (error.retriable || (command.type === 'StartTask' && error.code === notYetSeen))
        if (!again || attempt >= 5) throw error
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt))
      }
    }
  }

  return async function run(record: DispatchRecord, stop: AbortSignal): Promise<RunOutcome> {
    const { taskId } = record
    const log = deps.logger.child({ taskId, attempt: record.attempt })
    const ctxFor = (step: string): CommandContext => ({
      commandId: `${deps.agentId}:${taskId}:${record.dispatchVersion}:${step}`,
      correlationId: record.correlationId,
      causationId: null,
      actor: deps.agentId,
    })

    let state: ExistingTask
    log.debug({ dispatchVersion: record.dispatchVersion }, 'starting')
    try {
      const started = await send(
        taskId,
        { type: 'StartTask', agentId: deps.agentId, dispatchVersion: record.dispatchVersion, leaseEpoch: null },
        ctxFor('start'),
      )
      state = started.state as Extract<TaskState, { exists: true }>
      if (started.events.length === 0 && !(state.status === 'running' && state.holder === deps.agentId)) return 'skipped'
    } catch (error) {
      if (error instanceof AppError && skipCodes.has(error.code)) {
        log[error.code === notYetSeen ? 'error' : 'debug']({ code: error.code }, 'dispatch record skipped')
        return 'skipped'
      }
      throw error
    }
    const epoch = state.leaseEpoch
    await deps.leases.grant({ taskId, epoch, holder: deps.agentId, pool: record.pool, expiresAt: deps.clock() + deps.leaseMs })

    const abort = new AbortController()
    const fire = (reason: 'cancelled' | 'timed-out' | 'lease-lost' | 'shutdown') => {
      if (!abort.signal.aborted) abort.abort(abortError(reason))
    }
    const onStop = () => fire((stop.reason as { reason?: 'cancelled' } | undefined)?.reason ?? 'shutdown')
    stop.addEventListener('abort', onStop, { once: true })
    if (stop.aborted) onStop()
    const timeout = state.timeoutMs > 0 ? setTimeout(() => fire('timed-out'), state.timeoutMs) : undefined
    const heartbeat = setInterval(
      () => {
        void deps.leases.extend(taskId, epoch, deps.clock() + deps.leaseMs).then(
          (held) => {
            if (!held) fire('lease-lost')
          },
          () => undefined,
        )
      },
      Math.max(100, Math.floor(deps.leaseMs / 3)),
    )

    let parked: ((requestId: string) => void) | undefined
    const parking = new Promise<string>((resolve) => {
      parked = resolve
    })
    const ctx: HandlerContext = {
      taskId,
      pool: record.pool,
      attempt: state.attempt,
      config: deps.handlerConfig,
      signal: abort.signal,
      log,
      payload: JSON.parse(state.payload) as unknown,
      inputs: state.inputs.map((i) => ({ requestId: i.requestId, response: JSON.parse(i.response) as unknown })),
      progress: async (percent, message) => {
        await send(
          taskId,
          { type: 'ReportTaskProgress', percent: Math.round(percent), message: message ?? null, leaseEpoch: epoch },
          { ...ctxFor(`progress:${newId()}`) },
        )
      },
      requestInput: async (question, options) => {
        // A HITL request a human answers; answering it queues the task again with the answer.
        const { requestId } = await raiseInputRequest(
          deps.execute,
          {
            taskId,
            leaseEpoch: epoch,
            agentId: deps.agentId,
            projectId: null,
            question,
            options: options?.choices ?? null,
            context: ctx.payload,
            expiresAt: null,
          },
          ctxFor(`input:${epoch}`),
          deps.clock(),
        )
        parked!(requestId)
        return new Promise<never>(() => undefined)
      },
    }

    try {
      const outcome = await Promise.race([
        deps.handler(ctx).then((result) => ({ kind: 'result' as const, result })),
        parking.then((requestId) => ({ kind: 'parked' as const, requestId })),
        whenAborted(abort.signal),
      ])
      if (outcome.kind === 'parked') {
        log.info({ requestId: outcome.requestId }, 'task parked for input')
        return 'parked'
      }
      try {
        await send(
          taskId,
          { type: 'CompleteTask', agentId: deps.agentId, leaseEpoch: epoch, result: outcome.result ?? null, now: deps.clock() },
          ctxFor('complete'),
        )
      } catch (error) {
        // Cancelled or reaped while the handler worked: the result no longer counts.
        if (error instanceof AppError && !error.retriable) {
          log.info({ code: error.code }, 'result refused')
          return 'aborted'
        }
        throw error
      }
      return 'completed'
    } catch (error) {
      const reason = abortReasonOf(abort.signal)
      if (reason === 'cancelled' || reason === 'lease-lost') {
        log.info({ reason }, 'task run aborted')
        return 'aborted'
      }
      const message =
        reason === 'timed-out'
          ? `timed out after ${state.timeoutMs} ms`
          : reason === 'shutdown'
            ? 'the worker shut down before the task finished'
            : (error as Error).message
      const retryable = reason !== undefined || !(error instanceof AppError && !error.retriable)
      log.warn({ err: reason ? undefined : error, reason, retryable }, 'task attempt failed')
      await send(
        taskId,
        {
          type: 'FailTask',
          agentId: deps.agentId,
          leaseEpoch: epoch,
          error: message,
          retryable,
          now: deps.clock(),
          retryDelayMs: retryDelayFor(deps.retryPolicy, state, Math.random()),
        },
        ctxFor('fail'),
      ).catch((e: unknown) => log.warn({ err: e }, 'could not record the failure; the lease reaper will'))
      return 'failed'
    } finally {
      clearTimeout(timeout)
      clearInterval(heartbeat)
      stop.removeEventListener('abort', onStop)
      if (!abort.signal.aborted) abort.abort(abortError('shutdown'))
      await deps.leases.release(taskId, epoch).catch(() => undefined)
    }
  }
}

export type TaskRunner = ReturnType<typeof createTaskRunner>
