import type { CommandHandler } from '../../commands/handle-command.ts'
import type { TaskCommand } from '../../commands/task/task.commands.ts'
import { taskDecider } from '../../commands/task/task.decider.ts'
import { AppError } from '../../errors.ts'
import type { StoredEvent } from '../../events/envelope.ts'
import type { Logger } from '../../infra/logger.ts'
import { reactionContext, type Reaction } from '../runner.ts'
import { cancelReason, dependencyFact } from './dependency-facts.ts'
import type { DependencyStore } from './dependency-store.ts'

export const dependencyManagerActor = 'dependency-manager'

/**
 * The dependency process manager: a completed task resolves its waiting dependents; a task that
 * ends failed, cancelled or dead-lettered cancels them. A dependent whose edge appears after the
 * dependency already ended (events of different tasks arrive in any order across partitions) is
 * resolved or cancelled when its edge is recorded. Commands carry ids derived from the event.
 */
export function createDependencyReaction(deps: { store: DependencyStore; execute: CommandHandler; logger: Logger }): Reaction {
  const { store } = deps
  const send = async (event: StoredEvent, taskId: string, command: TaskCommand, suffix: string): Promise<void> => {
    try {
      await deps.execute('task', taskId, taskDecider, command, reactionContext(event, dependencyManagerActor, suffix))
    } catch (error) {
      // One dependent refusing (cancelled meanwhile, unknown) must not keep the others waiting.
      if (!(error instanceof AppError) || error.retriable) throw error
      deps.logger.debug({ code: error.code, taskId, command: command.type }, 'dependency command refused; skipped')
    }
  }

  return async (event) => {
    const fact = dependencyFact(event)
    if (!fact) return
    if (fact.kind === 'outcome') {
      if (!(await store.recordOutcome(fact.taskId, fact.outcome, fact.version)) || fact.outcome === null) return
      const outcome = fact.outcome
      for (const dependent of await store.openDependents(fact.taskId)) {
        await send(event, dependent, outcome === 'completed'
          ? { type: 'ResolveTaskDependency', dependencyId: fact.taskId }
          : { type: 'CancelTask', reason: cancelReason(fact.taskId, outcome) }, `:${dependent}`)
      }
      return
    }
    const changed = await store.recordEdges(fact.taskId, fact.dependencies, fact.open, fact.version)
    if (!fact.open || changed.length === 0) return
    const outcomes = await store.outcomes(changed)
    for (const dependency of changed) {
      const outcome = outcomes.get(dependency)
      if (outcome === 'completed') await send(event, fact.taskId, { type: 'ResolveTaskDependency', dependencyId: dependency }, `:${dependency}`)
      else if (outcome) await send(event, fact.taskId, { type: 'CancelTask', reason: cancelReason(dependency, outcome) }, `:${dependency}`)
    }
  }
}
