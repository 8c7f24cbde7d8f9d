import type { CommandContext, CommandHandler } from '../../commands/handle-command.ts'
import type { TaskCommand } from '../../commands/task/task.commands.ts'
import { taskDecider } from '../../commands/task/task.decider.ts'
import { AppError, DomainError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import { pollUntil } from '../../infra/retry.ts'
import { getAgent } from '../../projections/agents/agents.queries.ts'
import { getProject } from '../../projections/projects/projects.queries.ts'
import { knownTaskIds } from '../../projections/tasks/task-graph.queries.ts'
import { getTask } from '../../projections/tasks/tasks.queries.ts'
import type { IdempotencyStore } from '../idempotency.ts'
import type { PoolGate } from '../pool-gate.ts'
import type { VersionWaiter } from '../../projections/read-your-writes.ts'

export type TaskRouteDeps = Readonly<{
  execute: CommandHandler
  db: Db
  idempotency: IdempotencyStore
  readWaitMs: number
  waitForVersion: VersionWaiter
  pools: PoolGate
}>

export const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })

/** Runs one task command through the append path. */
export const taskCommand = (deps: TaskRouteDeps, id: string, command: TaskCommand, ctx: CommandContext, expectNew = false) =>
  deps.execute('task', id, taskDecider, command, ctx, { expectNew })

/** A row the request names, awaited for the read-your-writes window (it may have been created a moment ago). */
const awaitRow = <T>(deps: Pick<TaskRouteDeps, 'readWaitMs'>, find: () => Promise<T | undefined>) =>
  pollUntil(find, { timeoutMs: deps.readWaitMs, minMs: 5, maxMs: 50 })

/**
 * Refuses dependency ids the tasks read model does not know. A task created a moment ago may not
 * be projected yet, so missing ids are awaited for the read-your-writes window before refusing.
 */
export async function requireKnownTasks(deps: TaskRouteDeps, ids: readonly string[]): Promise<void> {
  const wanted = [...new Set(ids)]
  let missing: string[] = []
  const allKnown = await awaitRow(deps, async () => {
    const known = await knownTaskIds(deps.db, wanted)
    missing = wanted.filter((d) => !known.has(d))
    return missing.length === 0 ? true : undefined
  })
  if (!allKnown) throw new DomainError('task.unknown-dependency', `no task ${missing.join(', ')}`, { details: { unknown: missing } })
}

/** A task's project must exist: 404 `project.not-found` otherwise. */
export async function requireKnownProject(
  deps: Pick<TaskRouteDeps, 'db' | 'readWaitMs'>,
  projectId: string | null | undefined,
): Promise<void> {
  if (!projectId) return
  if (!(await awaitRow(deps, () => getProject(deps.db, projectId))))
    throw new AppError('project.not-found', `no project ${projectId}`, { details: { projectId } })
}

/**
 * An assignee must be an agent the fleet knows, and one of the task's pool when it belongs to a
 * pool: a task reserved for an agent that can never take it would wait forever.
 */
export async function requireAssignableAgent(deps: TaskRouteDeps, taskId: string, agentId: string): Promise<void> {
  const agent = await awaitRow(deps, () => getAgent(deps.db, agentId))
  if (!agent) throw new AppError('agent.not-found', `no agent ${agentId}`, { details: { agentId } })
  const task = await getTask(deps.db, taskId)
  if (task && agent.pool !== null && agent.pool !== task.pool)
    throw new DomainError('task.assignee-outside-pool', `agent ${agentId} belongs to pool ${agent.pool}, the task to pool ${task.pool}`, {
      details: { agentId, agentPool: agent.pool, taskPool: task.pool },
    })
}
