import { AppError } from '../errors.ts'
import type { CommandContext, CommandHandler, CommandResult } from './handle-command.ts'
import { taskDecider } from './task/task.decider.ts'
import type { RaiseHitlRequest } from './hitl/hitl.commands.ts'
import { hitlDecider } from './hitl/hitl.decider.ts'

/** What a running task asks: the request's fields, for this task and its current lease epoch. */
export type InputRequest = Omit<RaiseHitlRequest, 'type' | 'commandId' | 'now' | 'taskId'> &
  Readonly<{ taskId: string; leaseEpoch: number }>

/**
 * A task can wait for input at most once per lease epoch (waiting releases the lease), so
 * (task, epoch) names the request: a retried call raises nothing twice.
 */
export const inputRequestId = (taskId: string, leaseEpoch: number): string => `${taskId}.input-${leaseEpoch}`

/**
 * Raises the HITL request for a running task, then parks the task on it (RequestTaskInput).
 * If the task cannot park (lease lost, no longer running), the request is withdrawn — without
 * touching the task — and the task's refusal is rethrown.
 */
export async function raiseInputRequest(
  execute: CommandHandler,
  input: InputRequest,
  ctx: CommandContext,
  now: number = Date.now(),
): Promise<{ requestId: string; request: CommandResult; task: CommandResult }> {
  const requestId = inputRequestId(input.taskId, input.leaseEpoch)
  const request = await execute(
    'hitl',
    requestId,
    hitlDecider,
    {
      type: 'RaiseHitlRequest',
      commandId: `raise:${requestId}`,
      taskId: input.taskId,
      agentId: input.agentId,
      projectId: input.projectId,
      question: input.question,
      options: input.options,
      context: input.context,
      expiresAt: input.expiresAt,
      now,
    },
    { ...ctx, commandId: `raise:${requestId}` },
  )
  try {
    const task = await execute(
      'task',
      input.taskId,
      taskDecider,
      { type: 'RequestTaskInput', requestId, question: input.question, leaseEpoch: input.leaseEpoch },
      ctx,
    )
    return { requestId, request, task }
  } catch (error) {
    if (error instanceof AppError && !error.retriable) {
      await execute(
        'hitl',
        requestId,
        hitlDecider,
        { type: 'CancelHitlRequest', reason: `the task could not wait for input: ${error.code}`, cancelTask: false },
        { ...ctx, commandId: `withdraw:${requestId}` },
      ).catch(() => undefined)
    }
    throw error
  }
}
