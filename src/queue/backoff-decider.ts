import type { Decider } from '../commands/decider.ts'
import { retryDelayFor, type RetryPolicy } from '../commands/task/retry-policy.ts'
import type { ExpireTaskLease, FailTask, TaskCommand } from '../commands/task/task.commands.ts'
import { taskDecider } from '../commands/task/task.decider.ts'
import type { TaskState } from '../commands/task/task.state.ts'
import type { TaskEvent } from '../events/generated/event-types.ts'

/** FailTask / ExpireTaskLease carrying a random number in [0, 1) instead of a computed delay. */
export type JitteredFailTask = Omit<FailTask, 'retryDelayMs'> & { random: number }
export type JitteredExpireTaskLease = Omit<ExpireTaskLease, 'retryDelayMs'> & { random: number }
export type BackoffTaskCommand = TaskCommand | JitteredFailTask | JitteredExpireTaskLease

/**
 * The retry delay depends on which attempt of the budget failed, which only the aggregate's
 * state knows: this decider computes it (retryDelayFor, as the workers do) from that state and
 * the random number in the command, then lets the task decider decide. Still pure.
 */
export function withRetryDelay(policy: RetryPolicy, command: BackoffTaskCommand, state: TaskState): TaskCommand {
  if (!('random' in command)) return command
  const { random, ...rest } = command
  return { ...rest, retryDelayMs: retryDelayFor(policy, state, random) } as TaskCommand
}

export const createBackoffTaskDecider = (policy: RetryPolicy): Decider<TaskState, BackoffTaskCommand, TaskEvent> => ({
  initialState: taskDecider.initialState,
  evolve: taskDecider.evolve,
  decide: (command, state) => taskDecider.decide(withRetryDelay(policy, command, state), state),
})
