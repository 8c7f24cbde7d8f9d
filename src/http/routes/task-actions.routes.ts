import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { TaskCommand } from '../../commands/task/task.commands.ts'
import { respondToCommand } from '../command-response.ts'
import { commandResponses } from '../openapi-responses.ts'
import { AssignBody, CancelBody, ProgressBody } from './task-actions.schemas.ts'
import { json, requireAssignableAgent, taskCommand, type TaskRouteDeps } from './task-route-deps.ts'
import { CommandAccepted, TaskIdParam } from './tasks.schemas.ts'

/** Lifecycle commands on one task: progress, assign, cancel, retry. Refusals are 409 with the decider's code. */
export function registerTaskActionRoutes(app: OpenAPIHono, deps: TaskRouteDeps): void {
  // biome-ignore lint: each route's context type differs; they share the command plumbing only
  const run = (c: any, id: string, command: TaskCommand) =>
    respondToCommand(c, deps.idempotency, 200, (_ids, ctx) => taskCommand(deps, id, command, ctx), id)
  const accepted = (description: string) => ({ 200: { description, ...json(CommandAccepted) }, ...commandResponses })

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/tasks/{id}/progress',
      tags: ['tasks'],
      summary: 'Report progress (0-100)',
      request: { params: TaskIdParam, body: { ...json(ProgressBody), required: true } },
      responses: accepted('TaskProgressReported appended'),
    }),
    (c) => {
      const body = c.req.valid('json')
      return run(c, c.req.valid('param').id, { type: 'ReportTaskProgress', percent: body.percent, message: body.message ?? null })
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/tasks/{id}/assign',
      tags: ['tasks'],
      summary: 'Reserve a task for one agent (only it may claim the task)',
      request: { params: TaskIdParam, body: { ...json(AssignBody), required: true } },
      responses: accepted('TaskAssigned appended (or already assigned to this agent)'),
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const { agentId } = c.req.valid('json')
      await requireAssignableAgent(deps, id, agentId)
      return run(c, id, { type: 'AssignTask', agentId })
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/tasks/{id}/cancel',
      tags: ['tasks'],
      summary: 'Cancel a task',
      request: { params: TaskIdParam, body: { ...json(CancelBody), required: false } },
      responses: accepted('TaskCancelled appended (or already cancelled)'),
    }),
    (c) => {
      const body: { reason?: string | null } = c.req.valid('json') ?? {}
      return run(c, c.req.valid('param').id, { type: 'CancelTask', reason: body.reason ?? null })
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/tasks/{id}/retry',
      tags: ['tasks'],
      summary: 'Run a failed, cancelled or dead-lettered task again, with a fresh attempt budget',
      request: { params: TaskIdParam },
      responses: accepted('TaskQueued appended (reason manual-retry)'),
    }),
    (c) => run(c, c.req.valid('param').id, { type: 'RetryTask' }),
  )
}
