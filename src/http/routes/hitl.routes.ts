import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { CommandContext, CommandHandler, CommandResult } from '../../commands/handle-command.ts'
import { hitlDecider } from '../../commands/hitl/hitl.decider.ts'
import type { HitlCommand } from '../../commands/hitl/hitl.commands.ts'
import { raiseInputRequest } from '../../commands/raise-input-request.ts'
import { AppError, NotFoundError, ValidationError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import { getHitlRequest, listHitlRequests, type HitlRecord } from '../../projections/hitl/hitl-requests.queries.ts'
import { decodeCursor } from '../../projections/created-at-cursor.ts'
import { getTask } from '../../projections/tasks/tasks.queries.ts'
import type { VersionWaiter } from '../../projections/read-your-writes.ts'
import { respondToCommand } from '../command-response.ts'
import type { IdempotencyStore } from '../idempotency.ts'
import { commandResponses, problemResponses } from '../openapi-responses.ts'
import { CommandAccepted, MinVersionQuery, TaskIdParam } from './tasks.schemas.ts'
import {
  CancelHitlBody,
  HitlIdParam,
  HitlList,
  HitlView,
  ListHitlQuery,
  RaiseHitlBody,
  RespondBody,
  TaskInputRequestBody,
} from './hitl.schemas.ts'

export type HitlRouteDeps = Readonly<{
  execute: CommandHandler
  db: Db
  idempotency: IdempotencyStore
  waitForVersion: VersionWaiter
  clock?: () => number
}>

const iso = (d: Date | null) => (d === null ? null : d.toISOString())

export const toHitlView = (h: HitlRecord) => ({
  id: h.id,
  version: h.version,
  status: h.status as 'pending',
  taskId: h.task_id,
  agentId: h.agent_id,
  projectId: h.project_id,
  question: h.question,
  options: h.options,
  context: h.context,
  expiresAt: iso(h.expires_at),
  response: h.response,
  respondedBy: h.responded_by,
  respondedAt: iso(h.responded_at),
  cancelReason: h.cancel_reason,
  createdAt: h.created_at.toISOString(),
  updatedAt: h.updated_at.toISOString(),
})

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })
const epochMs = (at: string | null | undefined): number | null => (at ? Date.parse(at) : null)

export function registerHitlRoutes(app: OpenAPIHono, deps: HitlRouteDeps): void {
  const now = deps.clock ?? Date.now
  const command = (id: string, c: HitlCommand, ctx: CommandContext, expectNew = false) =>
    deps.execute('hitl', id, hitlDecider, c, ctx, { expectNew })

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/hitl',
      tags: ['hitl'],
      summary: 'Ask a human (for an agent or a project, without a task)',
      request: { body: { ...json(RaiseHitlBody), required: true } },
      responses: { 201: { description: 'HitlRequested appended', ...json(CommandAccepted) }, ...commandResponses },
    }),
    (c) => {
      const b = c.req.valid('json')
      return respondToCommand(c, deps.idempotency, 201, (ids, ctx, mayExist) =>
        command(
          ids.aggregateId,
          {
            type: 'RaiseHitlRequest',
            commandId: ids.commandId,
            taskId: null,
            agentId: b.agentId ?? null,
            projectId: b.projectId ?? null,
            question: b.question,
            options: b.options ?? null,
            context: b.context,
            expiresAt: epochMs(b.expiresAt),
            now: now(),
          },
          ctx,
          !mayExist,
        ),
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/tasks/{id}/input-requests',
      tags: ['hitl', 'tasks'],
      summary: 'A running task asks a human; the task waits for the answer',
      request: { params: TaskIdParam, body: { ...json(TaskInputRequestBody), required: true } },
      responses: {
        201: { description: 'HitlRequested and TaskInputRequested appended; id is the HITL request', ...json(CommandAccepted) },
        ...commandResponses,
      },
    }),
    async (c) => {
      const { id: taskId } = c.req.valid('param')
      const b = c.req.valid('json')
      // A task's project never changes once created: its row, once projected, is the authority.
      const projectId = b.projectId ?? (await deps.waitForVersion(() => getTask(deps.db, taskId), 1)).row?.project_id ?? null
      return respondToCommand(c, deps.idempotency, 201, async (_ids, ctx): Promise<CommandResult> => {
        const raised = await raiseInputRequest(
          deps.execute,
          {
            taskId,
            leaseEpoch: b.leaseEpoch,
            agentId: b.agentId,
            projectId,
            question: b.question,
            options: b.options ?? null,
            context: b.context,
            expiresAt: epochMs(b.expiresAt),
          },
          ctx,
          now(),
        )
        return { ...raised.request, events: [...raised.request.events, ...raised.task.events], positions: [] }
      })
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/hitl',
      tags: ['hitl'],
      summary: 'List HITL requests, newest first',
      request: { query: ListHitlQuery },
      responses: { 200: { description: 'A page of requests', ...json(HitlList) }, ...problemResponses },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor)
      if (q.cursor !== undefined && !after) throw new ValidationError('cursor is not one this API returned')
      const page = await listHitlRequests(deps.db, q, q.limit, after)
      return c.json({ items: page.items.map(toHitlView), next: page.next }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/hitl/{id}',
      tags: ['hitl'],
      summary: 'Get a HITL request (read model)',
      request: { params: HitlIdParam, query: MinVersionQuery },
      responses: { 200: { description: 'The request', ...json(HitlView) }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const { minVersion } = c.req.valid('query')
      const { row, reached } = await deps.waitForVersion(() => getHitlRequest(deps.db, id), minVersion, { table: 'hitl_requests', key: id })
      if (!reached)
        throw new AppError(
          'read-model.behind',
          `the read model has not reached version ${minVersion} of HITL request ${id} yet; retry shortly`,
          { retriable: true },
        )
      if (!row) throw new NotFoundError('hitl', id)
      return c.json(toHitlView(row), 200)
    },
  )

  const settle = (
    path: string,
    summary: string,
    description: string,
    body: typeof RespondBody | typeof CancelHitlBody | undefined,
    toCommand: (body: never) => HitlCommand,
  ) =>
    app.openapi(
      createRoute({
        method: 'post',
        path: `/api/v1/hitl/{id}/${path}`,
        tags: ['hitl'],
        summary,
        request: { params: HitlIdParam, ...(body ? { body: { ...json(body), required: path === 'respond' } } : {}) },
        responses: { 200: { description, ...json(CommandAccepted) }, ...commandResponses },
      }),
      (c) => {
        const { id } = c.req.valid('param')
        const b = ((c.req.valid as (t: 'json') => unknown)('json') ?? {}) as never
        return respondToCommand(c, deps.idempotency, 200, (_ids, ctx) => command(id, toCommand(b), ctx), id)
      },
    )

  settle(
    'respond',
    'Answer a HITL request; its task resumes with the answer',
    'HitlResponded appended',
    RespondBody,
    (b: { response: unknown; respondedBy: string }) => ({
      type: 'RespondToHitlRequest',
      response: b.response,
      respondedBy: b.respondedBy,
      now: now(),
    }),
  )
  settle(
    'expire',
    'Expire a pending HITL request now; its task is cancelled',
    'HitlExpired appended (or already expired)',
    undefined,
    () => ({ type: 'ExpireHitlRequest', now: now(), onlyIfDue: false }),
  )
  settle(
    'cancel',
    'Cancel a pending HITL request; its task is cancelled',
    'HitlCancelled appended (or already cancelled)',
    CancelHitlBody,
    (b: { reason?: string | null }) => ({ type: 'CancelHitlRequest', reason: b.reason ?? null, cancelTask: true }),
  )
}
