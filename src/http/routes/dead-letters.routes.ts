import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { newId } from '../../infra/ids.ts'
import type { CommandHandler } from '../../commands/handle-command.ts'
import { NotFoundError, ValidationError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import {
  decodeDeadLetterCursor,
  getDeadLetter,
  listDeadLetters,
  toDeadLetterView,
  type DeadLetterFilters,
} from '../../projections/task-failures/dead-letters.queries.ts'
import { purgeDeadLetter, purgeDeadLetters, requeueDeadLetter, requeueDeadLetters } from '../../queue/dead-letters/dead-letter-actions.ts'
import { respondToCommand } from '../command-response.ts'
import type { IdempotencyStore } from '../idempotency.ts'
import { commandResponses, problemResponses } from '../openapi-responses.ts'
import {
  BulkOutcome,
  BulkPurgeBody,
  BulkRequeueBody,
  DeadLetterList,
  DeadLetterView,
  ListDeadLettersQuery,
  PurgeBody,
} from './dead-letters.schemas.ts'
import { CommandAccepted, TaskIdParam } from './tasks.schemas.ts'

export type DeadLetterRouteDeps = Readonly<{ execute: CommandHandler; db: Db; idempotency: IdempotencyStore }>

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })

type FilterInput = Readonly<{ pool?: string; priority?: string; from?: string; to?: string }>
const toFilters = (q: FilterInput): DeadLetterFilters => ({
  pool: q.pool,
  priority: q.priority,
  from: q.from ? new Date(q.from) : undefined,
  to: q.to ? new Date(q.to) : undefined,
})

/** Bulk actions need a filter or an explicit `all`, so an empty body never drains everything. */
const bulkFilters = (b: FilterInput & { all: boolean }): DeadLetterFilters => {
  if (!b.all && !b.pool && !b.priority && !b.from && !b.to)
    throw new ValidationError('give a filter (pool, priority, from, to) or "all": true')
  return toFilters(b)
}

/** Dead letters: tasks that spent their attempts. Inspect, requeue (fresh budget) or purge, one or in bulk. */
export function registerDeadLetterRoutes(app: OpenAPIHono, deps: DeadLetterRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/dead-letters',
      tags: ['dead-letters'],
      summary: 'List dead letters, newest first',
      request: { query: ListDeadLettersQuery },
      responses: { 200: { description: 'A page of dead letters', ...json(DeadLetterList) }, ...problemResponses },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const after = q.cursor === undefined ? undefined : decodeDeadLetterCursor(q.cursor)
      if (q.cursor !== undefined && !after) throw new ValidationError('cursor is not one this API returned')
      const page = await listDeadLetters(deps.db, toFilters(q), q.limit, after)
      return c.json({ items: page.items.map(toDeadLetterView), next: page.next }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/dead-letters/{id}',
      tags: ['dead-letters'],
      summary: 'A dead letter with its failed attempts',
      request: { params: TaskIdParam },
      responses: { 200: { description: 'The dead letter', ...json(DeadLetterView) }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const row = await getDeadLetter(deps.db, id)
      if (!row) throw new NotFoundError('dead-letter', id)
      return c.json(toDeadLetterView(row), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/dead-letters/requeue',
      tags: ['dead-letters'],
      summary: 'Requeue every dead letter matching the filters',
      request: { body: { ...json(BulkRequeueBody), required: true } },
      responses: {
        200: { description: 'One TaskQueued (reason requeued) per dead letter counted', ...json(BulkOutcome) },
        ...commandResponses,
      },
    }),
    async (c) => {
      const filters = bulkFilters(c.req.valid('json'))
      return c.json(await requeueDeadLetters(deps, filters, 'api', c.get('requestId' as never) ?? newId()), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/dead-letters/purge',
      tags: ['dead-letters'],
      summary: 'Purge every dead letter matching the filters',
      request: { body: { ...json(BulkPurgeBody), required: true } },
      responses: { 200: { description: 'One TaskPurged per dead letter counted', ...json(BulkOutcome) }, ...commandResponses },
    }),
    async (c) => {
      const body = c.req.valid('json')
      return c.json(
        await purgeDeadLetters(deps, bulkFilters(body), body.reason ?? null, 'api', c.get('requestId' as never) ?? newId()),
        200,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/dead-letters/{id}/requeue',
      tags: ['dead-letters'],
      summary: 'Requeue a dead letter with a fresh attempt budget',
      request: { params: TaskIdParam },
      responses: { 200: { description: 'TaskQueued (reason requeued) appended', ...json(CommandAccepted) }, ...commandResponses },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      return respondToCommand(c, deps.idempotency, 200, (_ids, ctx) => requeueDeadLetter(deps.execute, id, ctx), id)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/dead-letters/{id}/purge',
      tags: ['dead-letters'],
      summary: 'Purge a dead letter (kept in the log)',
      request: { params: TaskIdParam, body: { ...json(PurgeBody), required: false } },
      responses: { 200: { description: 'TaskPurged appended (or already purged)', ...json(CommandAccepted) }, ...commandResponses },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      const body: { reason?: string | null } = c.req.valid('json') ?? {}
      return respondToCommand(c, deps.idempotency, 200, (_ids, ctx) => purgeDeadLetter(deps.execute, id, body.reason ?? null, ctx), id)
    },
  )
}
