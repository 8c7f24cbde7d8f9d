import type { CommandHandler } from '../../commands/handle-command.ts'
import type { TaskCommand } from '../../commands/task/task.commands.ts'
import { taskDecider } from '../../commands/task/task.decider.ts'
import { AppError } from '../../errors.ts'
import type { StoredEvent } from '../../events/envelope.ts'
import type { Logger } from '../../infra/logger.ts'
import { reactionContext, type React } from '../reactor.ts'
import { cancelReason, dependencyFact, type DependencyFact } from './dependency-facts.ts'
import type { DependencyStore } from './dependency-store.ts'

export const dependencyManagerActor = 'dependency-manager'

type Sourced<F> = F & Readonly<{ event: StoredEvent }>

/**
 * The dependency reactor: a completed task resolves its waiting dependents; a task that
 * ends failed, cancelled or dead-lettered cancels them. A dependent whose edge appears after the
 * dependency already ended (events of different tasks arrive in any order across partitions) is
 * resolved or cancelled when its edge is recorded. A batch costs four statements whatever its
 * size (outcomes and edges written, then dependents and outcomes read); commands carry ids
 * derived from the event that caused them.
 */
export function createDependencyReaction(deps: { store: DependencyStore; execute: CommandHandler; logger: Logger }): React {
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
  const commandFor = (dependencyId: string, outcome: 'completed' | 'failed' | 'cancelled' | 'dead_lettered'): TaskCommand =>
    outcome === 'completed'
      ? { type: 'ResolveTaskDependency', dependencyId }
      : { type: 'CancelTask', reason: cancelReason(dependencyId, outcome) }

  return async (events) => {
    // The last fact per task (outcomes) and per edge wins: events of one task arrive in version order.
    const outcomes = new Map<string, Sourced<Extract<DependencyFact, { kind: 'outcome' }>>>()
    const edges = new Map<string, Sourced<{ taskId: string; dependencyId: string; open: boolean; version: number }>>()
    for (const event of events) {
      const fact = dependencyFact(event)
      if (fact?.kind === 'outcome') outcomes.set(fact.taskId, { ...fact, event })
      else if (fact?.kind === 'edges')
        for (const d of fact.dependencies)
          edges.set(`${fact.taskId}\u0000${d}`, { taskId: fact.taskId, dependencyId: d, open: fact.open, version: fact.version, event })
    }
    const [settled, changedEdges] = await Promise.all([
      store.recordOutcomes([...outcomes.values()]),
      store.recordEdges([...edges.values()]),
    ])
    const ended = [...outcomes.values()].filter((o) => settled.has(o.taskId) && o.outcome !== null)
    const opened = changedEdges.filter((e) => e.open).map((e) => edges.get(`${e.taskId}\u0000${e.dependencyId}`)!)
    // Reads after the writes: whichever side of a race reads second sees the other's write.
    const [dependents, known] = await Promise.all([
      store.openDependents(ended.map((o) => o.taskId)),
      store.outcomes([...new Set(opened.map((e) => e.dependencyId))]),
    ])
    const sends: Promise<void>[] = []
    for (const o of ended) {
      for (const dependent of dependents.get(o.taskId) ?? [])
        sends.push(send(o.event, dependent, commandFor(o.taskId, o.outcome!), `:${dependent}`))
    }
    for (const e of opened) {
      const outcome = known.get(e.dependencyId)
      if (outcome) sends.push(send(e.event, e.taskId, commandFor(e.dependencyId, outcome), `:${e.dependencyId}`))
    }
    await Promise.all(sends)
  }
}
