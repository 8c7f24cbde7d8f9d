import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { AppError, DomainError, NotFoundError, ValidationError } from '../../errors.ts'
import { poolForRole } from '../../projections/tasks/task-graph.queries.ts'
import { decodeCursor, getTask, listTasks } from '../../projections/tasks/tasks.queries.ts'
import { respondToCommand } from '../command-response.ts'
import { commandResponses, problemResponses } from '../openapi-responses.ts'
import { registerTaskActionRoutes } from './task-actions.routes.ts'
import { registerTaskDependencyRoutes } from './task-dependencies.routes.ts'
import { registerTaskHistoryRoutes } from './task-history.routes.ts'
import { json, requireKnownProject, requireKnownTasks, taskCommand, type TaskRouteDeps } from './task-route-deps.ts'
import { toTaskView } from './task-view.ts'
import { CommandAccepted, CreateTaskBody, ListTasksQuery, MinVersionQuery, TaskIdParam, TaskList, TaskView } from './tasks.schemas.ts'

export type { TaskRouteDeps } from './task-route-deps.ts'
export { toTaskView } from './task-view.ts'

const parseJson = (text: string | undefined, field: string, object = false): unknown => {
  if (text === undefined) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ValidationError(`${field} must be a JSON document`)
  }
  if (object && (value === null || typeof value !== 'object' || Array.isArray(value)))
    throw new ValidationError(`${field} must be a JSON object`)
  return value
}

async function resolvePool(deps: TaskRouteDeps, pool: string | undefined, role: string | null | undefined): Promise<string> {
  if (pool) return pool
  if (!role) throw new DomainError('task.pool-required', 'give a pool, or a role that an active pool serves')
  const found = await poolForRole(deps.db, role)
  if (!found) throw new DomainError('task.pool-required', `no active pool serves role ${role}; give a pool`, { details: { role } })
  return found
}

export function registerTaskRoutes(app: OpenAPIHono, deps: TaskRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/tasks',
      tags: ['tasks'],
      summary: 'Create a task',
      request: { body: { ...json(CreateTaskBody), required: true } },
      responses: { 201: { description: 'TaskCreated appended', ...json(CommandAccepted) }, ...commandResponses },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const dependsOn = body.dependsOn ?? body.dependencies ?? []
      const pool = await resolvePool(deps, body.pool, body.role)
      await deps.pools.requireOpen(pool)
      await requireKnownProject(deps, body.projectId)
      await requireKnownTasks(deps, dependsOn)
      return respondToCommand(c, deps.idempotency, 201, (ids, ctx, mayExist) =>
        taskCommand(
          deps,
          ids.aggregateId,
          {
            type: 'CreateTask',
            taskId: ids.aggregateId,
            commandId: ids.commandId,
            title: body.title,
            description: body.description ?? null,
            pool,
            role: body.role ?? null,
            metadata: body.metadata,
            priority: body.priority,
            payload: body.payload,
            maxAttempts: body.maxAttempts,
            timeoutMs: body.timeoutMs,
            projectId: body.projectId ?? null,
            workflowId: body.workflowId ?? null,
            dependsOn,
          },
          ctx,
          !mayExist,
        ),
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tasks/{id}',
      tags: ['tasks'],
      summary: 'Get a task (read model)',
      request: { params: TaskIdParam, query: MinVersionQuery },
      responses: { 200: { description: 'The task', ...json(TaskView) }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const { minVersion } = c.req.valid('query')
      const { row, reached } = await deps.waitForVersion(() => getTask(deps.db, id), minVersion, { table: 'tasks', key: id })
      if (!reached)
        throw new AppError('read-model.behind', `the read model has not reached version ${minVersion} of task ${id} yet; retry shortly`, {
          retriable: true,
        })
      if (!row) throw new NotFoundError('task', id)
      return c.json(toTaskView(row), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tasks',
      tags: ['tasks'],
      summary: 'List and search tasks',
      description: "Filters combine with AND. Sorts: createdAt, updatedAt, priority; each page's `next` cursor continues the same sort.",
      request: { query: ListTasksQuery },
      responses: { 200: { description: 'A page of tasks', ...json(TaskList) }, ...problemResponses },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const order = { sort: q.sort, order: q.order }
      const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor, q.sort, q.order)
      if (q.cursor !== undefined && !cursor) throw new ValidationError('cursor is not one this API returned for this sort and order')
      const page = await listTasks(
        deps.db,
        {
          status: q.status,
          pool: q.pool,
          priority: q.priority,
          role: q.role,
          agentId: q.agentId,
          projectId: q.projectId,
          workflowId: q.workflowId,
          createdAfter: q.createdAfter ? new Date(q.createdAfter) : undefined,
          createdBefore: q.createdBefore ? new Date(q.createdBefore) : undefined,
          payload: parseJson(q.payload, 'payload'),
          metadata: parseJson(q.metadata, 'metadata', true),
          q: q.q,
        },
        order,
        q.limit,
        cursor,
      )
      return c.json({ items: page.items.map(toTaskView), next: page.next }, 200)
    },
  )

  registerTaskActionRoutes(app, deps)
  registerTaskDependencyRoutes(app, deps)
  registerTaskHistoryRoutes(app, deps)
}
