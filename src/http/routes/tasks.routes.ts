import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { CommandHandler } from '../../commands/handle-command.ts'
import { taskDecider } from '../../commands/task/task.decider.ts'
import type { TaskCommand } from '../../commands/task/task.commands.ts'
import { AppError, NotFoundError, ValidationError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import { decodeCursor, getTask, listTasks, type TaskRecord } from '../../projections/tasks/tasks.queries.ts'
import { waitForVersion } from '../../projections/wait-for-version.ts'
import { respondToCommand } from '../command-response.ts'
import type { IdempotencyStore } from '../idempotency.ts'
import { commandResponses, problemResponses } from '../openapi-responses.ts'
import { CancelBody, CommandAccepted, CreateTaskBody, ListTasksQuery, MinVersionQuery, ProgressBody, TaskIdParam, TaskList, TaskView } from './tasks.schemas.ts'

export type TaskRouteDeps = Readonly<{ execute: CommandHandler; db: Db; idempotency: IdempotencyStore; readWaitMs: number }>

export const toTaskView = (t: TaskRecord) => ({
  id: t.id, version: t.version, title: t.title, description: t.description, pool: t.pool,
  priority: t.priority as 'NORMAL', status: t.status, payload: t.payload, maxAttempts: t.max_attempts,
  timeoutMs: t.timeout_ms, projectId: t.project_id, workflowId: t.workflow_id, dependsOn: t.depends_on,
  progress: t.progress, progressMessage: t.progress_message, cancelReason: t.cancel_reason, createdBy: t.created_by,
  createdAt: t.created_at.toISOString(), updatedAt: t.updated_at.toISOString(),
})

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })

export function registerTaskRoutes(app: OpenAPIHono, deps: TaskRouteDeps): void {
  const command = (id: string, c: TaskCommand, ctx: Parameters<CommandHandler>[4], expectNew = false) =>
    deps.execute('task', id, taskDecider, c, ctx, { expectNew })

  app.openapi(createRoute({
    method: 'post', path: '/api/v1/tasks', tags: ['tasks'], summary: 'Create a task',
    request: { body: { ...json(CreateTaskBody), required: true } },
    responses: { 201: { description: 'TaskCreated appended', ...json(CommandAccepted) }, ...commandResponses },
  }), (c) => {
    const body = c.req.valid('json')
    return respondToCommand(c, deps.idempotency, 201, (ids, ctx, isRetry) => command(ids.aggregateId, {
        type: 'CreateTask', commandId: ids.commandId, title: body.title, description: body.description ?? null, pool: body.pool, role: body.role ?? null, metadata: body.metadata,
        priority: body.priority, payload: body.payload, maxAttempts: body.maxAttempts, timeoutMs: body.timeoutMs,
        projectId: body.projectId ?? null, workflowId: body.workflowId ?? null, dependsOn: body.dependsOn,
      }, ctx, !isRetry))
  })

  app.openapi(createRoute({
    method: 'get', path: '/api/v1/tasks/{id}', tags: ['tasks'], summary: 'Get a task (read model)',
    request: { params: TaskIdParam, query: MinVersionQuery },
    responses: { 200: { description: 'The task', ...json(TaskView) }, ...problemResponses },
  }), async (c) => {
    const { id } = c.req.valid('param')
    const { minVersion } = c.req.valid('query')
    const { row, reached } = await waitForVersion(() => getTask(deps.db, id), minVersion, deps.readWaitMs)
    if (!reached) throw new AppError('read-model.behind', `the read model has not reached version ${minVersion} of task ${id} yet; retry shortly`, { retriable: true })
    if (!row) throw new NotFoundError('task', id)
    return c.json(toTaskView(row), 200)
  })

  app.openapi(createRoute({
    method: 'get', path: '/api/v1/tasks', tags: ['tasks'], summary: 'List and search tasks, newest first',
    request: { query: ListTasksQuery },
    responses: { 200: { description: 'A page of tasks', ...json(TaskList) }, ...problemResponses },
  }), async (c) => {
    const q = c.req.valid('query')
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor)
    if (q.cursor !== undefined && !after) throw new ValidationError('cursor is not one this API returned')
    let payload: unknown
    if (q.payload !== undefined) {
      try { payload = JSON.parse(q.payload) } catch { throw new ValidationError('payload must be a JSON document') }
    }
    const page = await listTasks(deps.db, {
      status: q.status, pool: q.pool, priority: q.priority, projectId: q.projectId, workflowId: q.workflowId,
      createdAfter: q.createdAfter ? new Date(q.createdAfter) : undefined, createdBefore: q.createdBefore ? new Date(q.createdBefore) : undefined,
      payload,
    }, q.limit, after)
    return c.json({ items: page.items.map(toTaskView), next: page.next }, 200)
  })

  app.openapi(createRoute({
    method: 'post', path: '/api/v1/tasks/{id}/progress', tags: ['tasks'], summary: 'Report progress (0-100)',
    request: { params: TaskIdParam, body: { ...json(ProgressBody), required: true } },
    responses: { 200: { description: 'TaskProgressReported appended', ...json(CommandAccepted) }, ...commandResponses },
  }), (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json')
    return respondToCommand(c, deps.idempotency, 200, (_ids, ctx) =>
      command(id, { type: 'ReportTaskProgress', percent: body.percent, message: body.message ?? null }, ctx), id)
  })

  app.openapi(createRoute({
    method: 'post', path: '/api/v1/tasks/{id}/cancel', tags: ['tasks'], summary: 'Cancel a task',
    request: { params: TaskIdParam, body: { ...json(CancelBody), required: false } },
    responses: { 200: { description: 'TaskCancelled appended (or already cancelled)', ...json(CommandAccepted) }, ...commandResponses },
  }), (c) => {
    const { id } = c.req.valid('param')
    const body: { reason?: string | null } = c.req.valid('json') ?? {}
    return respondToCommand(c, deps.idempotency, 200, (_ids, ctx) =>
      command(id, { type: 'CancelTask', reason: body.reason ?? null }, ctx), id)
  })
}
