import type { CommandContext, CommandHandler } from '../commands/handle-command.ts'
import { raiseInputRequest } from '../commands/raise-input-request.ts'
import { retryDelayFor, type RetryPolicy } from '../commands/task/retry-policy.ts'
import type { TaskCommand } from '../commands/task/task.commands.ts'
import { taskDecider } from '../commands/task/task.decider.ts'
import type { ExistingTask } from '../commands/task/task.state.ts'
import { AppError } from '../errors.ts'
import type { DispatchRecord } from '../events/generated/event-types.ts'
import { newId } from '../infra/ids.ts'
import type { Logger } from '../infra/logger.ts'
import { retry } from '../infra/retry.ts'
import type { TaskLeases } from '../leases/task-leases.ts'
import { abortReasonOf, whenAborted, type Handler } from './handlers/handler.ts'
import { createHandlerContext } from './handler-context.ts'
import { createRunAbort } from './run-abort.ts'

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

/** One run of one dispatch record: its log, and the command context of each of its steps. */
type Run = Readonly<{ record: DispatchRecord; log: Logger; ctxFor: (step: string) => CommandContext }>

/** How the handler's race ended when it did not throw. */
type Handled = Readonly<{ kind: 'result'; result: unknown }> | Readonly<{ kind: 'parked'; requestId: string }>

/**
 * Runs one dispatch record: StartTask (a refusal means skip), a run lease extended while the
 * handler works, then CompleteTask / FailTask / RequestTaskInput under the lease's epoch.
 * `stop` aborts the handler (cancel, shutdown); the task's timeoutMs aborts it too.
 */
export function createTaskRunner(deps: RunnerDeps) {
  /** A task command, tried 6 times in all while the write side answers with a transient refusal. */
  const send = (taskId: string, command: TaskCommand, ctx: CommandContext) =>
    retry(() => deps.execute('task', taskId, taskDecider, command, ctx), {
      attempts: 6,
      minMs: 50,
      maxMs: 800,
      retryIf: (error) => error instanceof AppError && (error.retriable || (command.type === 'StartTask' && error.code === notYetSeen)),
    })

  /** StartTask: the running task, or undefined when the record is to be skipped. */
  const start = async ({ record, log, ctxFor }: Run, issued: () => void): Promise<ExistingTask | undefined> => {
    log.debug({ dispatchVersion: record.dispatchVersion }, 'starting')
    try {
      const sending = send(
        record.taskId,
        { type: 'StartTask', agentId: deps.agentId, dispatchVersion: record.dispatchVersion, leaseEpoch: null },
        ctxFor('start'),
      )
      issued()
      const started = await sending
      const state = started.state as ExistingTask
      // No new event: skip, unless this is a replay of our own start.
      if (started.events.length === 0 && !(state.status === 'running' && state.holder === deps.agentId)) return undefined
      return state
    } catch (error) {
      if (error instanceof AppError && skipCodes.has(error.code)) {
        log[error.code === notYetSeen ? 'error' : 'debug']({ code: error.code }, 'dispatch record skipped')
        return undefined
      }
      throw error
    }
  }

  /** Runs the handler under the run lease of the started task's epoch, settles the outcome, then releases the lease. */
  const runUnderLease = async (run: Run, state: ExistingTask, stop: AbortSignal): Promise<RunOutcome> => {
    const { taskId, pool } = run.record
    const epoch = state.leaseEpoch
    // The lease is known to hold until `leaseUntil` (set before each call: never later than Redis has it).
    let leaseUntil = deps.clock() + deps.leaseMs
    await deps.leases.grant({ taskId, epoch, holder: deps.agentId, pool, expiresAt: leaseUntil })
    const extendLease = async () => {
      const now = deps.clock()
      const held = await deps.leases.extend(taskId, epoch, now + deps.leaseMs, now)
      if (held) leaseUntil = now + deps.leaseMs
      return held
    }
    const lapsed = () => deps.clock() > leaseUntil
    const abort = createRunAbort({ stop, timeoutMs: state.timeoutMs, leaseMs: deps.leaseMs, extendLease })
    try {
      // Inside the try: a malformed payload fails the attempt and still ends the lease heartbeat.
      const { context, parked } = createHandlerContext({
        taskId,
        pool,
        state,
        config: deps.handlerConfig,
        signal: abort.signal,
        log: run.log,
        reportProgress: async (percent, message) => {
          await send(taskId, { type: 'ReportTaskProgress', percent, message, leaseEpoch: epoch }, run.ctxFor(`progress:${newId()}`))
        },
        raiseInput: async (question, choices, payload) => {
          // A HITL request a human answers; answering it queues the task again with the answer.
          const { requestId } = await raiseInputRequest(
            deps.execute,
            {
              taskId,
              leaseEpoch: epoch,
              agentId: deps.agentId,
              // A request of a task belongs to the task's project (GET /hitl?projectId= finds it).
              projectId: state.projectId,
              question,
              options: choices,
              context: payload,
              expiresAt: null,
            },
            run.ctxFor(`input:${epoch}`),
            deps.clock(),
          )
          return requestId
        },
      })
      const handled = await Promise.race([
        deps.handler(context).then((result) => ({ kind: 'result' as const, result })),
        parked.then((requestId) => ({ kind: 'parked' as const, requestId })),
        whenAborted(abort.signal),
      ])
      return await settle(run, epoch, handled, lapsed)
    } catch (error) {
      return await fail(run, state, abortReasonOf(abort.signal), error, lapsed)
    } finally {
      abort.end()
      await deps.leases.release(taskId, epoch).catch(() => undefined)
    }
  }

  /** A handler that returned: park the task or complete it. Throws what the caller records as a failure. */
  const settle = async ({ record, log, ctxFor }: Run, epoch: number, handled: Handled, lapsed: () => boolean): Promise<RunOutcome> => {
    if (handled.kind === 'parked') {
      log.info({ requestId: handled.requestId }, 'task parked for input')
      return 'parked'
    }
    try {
      await send(
        record.taskId,
        {
          type: 'CompleteTask',
          agentId: deps.agentId,
          leaseEpoch: epoch,
          result: handled.result ?? null,
          now: deps.clock(),
          leaseLapsed: lapsed(),
        },
        ctxFor('complete'),
      )
      return 'completed'
    } catch (error) {
      // Cancelled or reaped while the handler worked: the result no longer counts.
      if (error instanceof AppError && !error.retriable) {
        log.info({ code: error.code }, 'result refused')
        return 'aborted'
      }
      throw error
    }
  }

  /**
   * The handler threw or was aborted, or its result could not be recorded: FailTask with the retry
   * backoff, unless the task was cancelled or the lease lost (then the run just ends).
   */
  const fail = async (
    { record, log, ctxFor }: Run,
    state: ExistingTask,
    reason: ReturnType<typeof abortReasonOf>,
    error: unknown,
    lapsed: () => boolean,
  ): Promise<RunOutcome> => {
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
      record.taskId,
      {
        type: 'FailTask',
        agentId: deps.agentId,
        leaseEpoch: state.leaseEpoch,
        leaseLapsed: lapsed(),
        error: message,
        retryable,
        now: deps.clock(),
        retryDelayMs: retryDelayFor(deps.retryPolicy, state, Math.random()),
      },
      ctxFor('fail'),
    ).catch((e: unknown) => log.warn({ err: e }, 'could not record the failure; the lease reaper will'))
    return 'failed'
  }

  /** `issued` is called once this record's StartTask is on its way: the partition's next record may start (its StartTask then follows this one). */
  return async function run(record: DispatchRecord, stop: AbortSignal, issued: () => void = () => undefined): Promise<RunOutcome> {
    const { taskId } = record
    const current: Run = {
      record,
      log: deps.logger.child({ taskId, attempt: record.attempt }),
      ctxFor: (step) => ({
        commandId: `${deps.agentId}:${taskId}:${record.dispatchVersion}:${step}`,
        correlationId: record.correlationId,
        causationId: null,
        actor: deps.agentId,
      }),
    }
    const state = await start(current, issued).finally(issued)
    if (!state) return 'skipped'
    return runUnderLease(current, state, stop)
  }
}

export type TaskRunner = ReturnType<typeof createTaskRunner>
