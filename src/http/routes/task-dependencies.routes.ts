import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { DomainError, NotFoundError } from '../../errors.ts'
import { dependencyGraph, dependencyPath } from '../../projections/tasks/task-graph.queries.ts'
import { getTask } from '../../projections/tasks/tasks.queries.ts'
import { respondToCommand } from '../command-response.ts'
import { commandResponses, problemResponses } from '../openapi-responses.ts'
import { AddDependencyBody, DependencyGraph, DependencyParams } from './task-actions.schemas.ts'
import { json, requireKnownTasks, taskCommand, type TaskRouteDeps } from './task-route-deps.ts'
import { CommandAccepted, TaskIdParam } from './tasks.schemas.ts'

/**
 * Refuses a dependency that would close a cycle, by walking task_dependencies in the read model.
 * A read-model check is acceptable here: a cycle can only slip through when two opposite edges
 * are added within the projection lag, and its effect is liveness, not safety — the tasks in it
 * wait (visibly, status `waiting`) until a dependency is removed or they are cancelled. Checking
 * atomically would need one lock over every task of the graph. What the decider still guarantees
 * for each task: no self-dependency (AddTaskDependency and CreateTask carry the task's id), no
 * duplicate, dependencies change only before the task starts, and a task is queued only once
 * every dependency it has is resolved.
 */
async function refuseCycle(deps: TaskRouteDeps, taskId: string, dependsOn: string): Promise<void> {
  const path = await dependencyPath(deps.db, taskId, dependsOn)
  if (path) {
    throw new DomainError('task.dependency-cycle', `${dependsOn} already depends on ${taskId} (${[taskId, ...path].join(' → ')})`, {
      details: { cycle: [taskId, ...path] },
    })
  }
}

export function registerTaskDependencyRoutes(app: OpenAPIHono, deps: TaskRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/tasks/{id}/dependencies',
      tags: ['tasks'],
      summary: 'Make the task wait for another one',
      request: { params: TaskIdParam, body: { ...json(AddDependencyBody), required: true } },
      responses: {
        200: { description: 'TaskDependencyAdded appended (or already a dependency)', ...json(CommandAccepted) },
        ...commandResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const { dependsOn } = c.req.valid('json')
      await requireKnownTasks(deps, [dependsOn])
      await refuseCycle(deps, id, dependsOn)
      return respondToCommand(
        c,
        deps.idempotency,
        200,
        (_ids, ctx) => taskCommand(deps, id, { type: 'AddTaskDependency', taskId: id, dependencyId: dependsOn }, ctx),
        id,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/tasks/{id}/dependencies/{depId}',
      tags: ['tasks'],
      summary: 'Stop waiting for a dependency (queues the task if it was the last open one)',
      request: { params: DependencyParams },
      responses: {
        200: { description: 'TaskDependencyRemoved appended (or not a dependency)', ...json(CommandAccepted) },
        ...commandResponses,
      },
    }),
    async (c) => {
      const { id, depId } = c.req.valid('param')
      await requireKnownTasks(deps, [depId])
      return respondToCommand(
        c,
        deps.idempotency,
        200,
        (_ids, ctx) => taskCommand(deps, id, { type: 'RemoveTaskDependency', dependencyId: depId }, ctx),
        id,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tasks/{id}/dependencies',
      tags: ['tasks'],
      summary: 'What the task waits for, and who waits for it',
      request: { params: TaskIdParam },
      responses: {
        200: { description: 'Dependency edges with the status of the task at the other end', ...json(DependencyGraph) },
        ...problemResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      if (!(await getTask(deps.db, id))) throw new NotFoundError('task', id)
      return c.json({ id, ...(await dependencyGraph(deps.db, id)) }, 200)
    },
  )
}
