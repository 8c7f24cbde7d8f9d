import type { CommandContext, CommandHandler } from '../commands/handle-command.ts'
import { taskDecider } from '../commands/task/task.decider.ts'
import type { ExistingTask, TaskState } from '../commands/task/task.state.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../infra/logger.ts'
import type { TaskLeases } from '../leases/task-leases.ts'
import type { PoppedTask, TaskQueue } from './task-queue.ts'
import type { Wakeups } from './wakeups.ts'

export type ClaimDeps = Readonly<{
  execute: CommandHandler
  queue: TaskQueue
  leases: TaskLeases
  wakeups: Wakeups
  clock: () => number
  logger: Logger
  /** a long poll re-checks the queue at least this often, in case a wake-up was lost */
  recheckMs?: number
}>

export type ClaimRequest = Readonly<{ agentId: string; pool: string; leaseMs: number; waitMs: number }>

export type ClaimedTask = Readonly<{ task: ExistingTask; taskId: string; leaseEpoch: number; leaseExpiresAt: number; version: number }>

/**
 * Claims the next task of a pool for an agent: pops the queue head (atomic, so no task is handed
 * out twice), lets the decider arbitrate with ClaimTask (a stale entry it refuses is dropped and
 * the next one tried), then grants the run lease. With `waitMs` it long-polls on the pool's
 * wake-up channel instead of returning empty at once.
 */
export async function claimNext(
  deps: ClaimDeps,
  request: ClaimRequest,
  ctx: (taskId: string) => CommandContext,
): Promise<ClaimedTask | undefined> {
  const deadline = deps.clock() + request.waitMs
  for (;;) {
    const armed = request.waitMs > 0 ? deps.wakeups.arm(deps.queue.wakeChannel(request.pool)) : undefined
    try {
      const claimed = await claimFromQueue(deps, request, ctx)
      if (claimed) return claimed
      const remaining = deadline - deps.clock()
      if (!armed || remaining <= 0) return undefined
      await armed.wait(Math.min(remaining, deps.recheckMs ?? 1_000))
    } finally {
      armed?.cancel()
    }
  }
}

async function claimFromQueue(
  deps: ClaimDeps,
  request: ClaimRequest,
  ctx: (taskId: string) => CommandContext,
): Promise<ClaimedTask | undefined> {
  // Tasks reserved for another agent go back once this claim is decided.
  const reservedElsewhere: PoppedTask[] = []
  try {
    for (;;) {
      const popped = await deps.queue.pop(request.pool)
      if (!popped) return undefined
      const now = deps.clock()
      let state: TaskState
      let version: number
      try {
        const result = await deps.execute(
          'task',
          popped.taskId,
          taskDecider,
          { type: 'ClaimTask', agentId: request.agentId, leaseMs: request.leaseMs, now },
          ctx(popped.taskId),
        )
        state = result.state
        version = result.version
      } catch (error) {
        if (error instanceof AppError && !error.retriable) {
          if (error.code === 'task.assigned-elsewhere') reservedElsewhere.push(popped)
          else deps.logger.debug({ taskId: popped.taskId, code: error.code }, 'stale queue entry dropped')
          continue
        }
        await deps.queue.restore(popped).catch(() => undefined)
        throw error
      }
      if (!state.exists) continue
      const leaseExpiresAt = now + request.leaseMs
      await deps.leases.grant({
        taskId: popped.taskId,
        epoch: state.leaseEpoch,
        holder: request.agentId,
        pool: request.pool,
        expiresAt: leaseExpiresAt,
      })
      return { task: state, taskId: popped.taskId, leaseEpoch: state.leaseEpoch, leaseExpiresAt, version }
    }
  } finally {
    for (const t of reservedElsewhere) await deps.queue.restore(t, false).catch(() => undefined)
  }
}
