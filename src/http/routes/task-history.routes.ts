import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { AppError, NotFoundError } from '../../errors.ts'
import { aggregateEvents, historyVersion, taskAttempts } from '../../projections/history/history.queries.ts'
import { getTask } from '../../projections/tasks/tasks.queries.ts'
import { problemResponses } from '../openapi-responses.ts'
import { AttemptList, EventList, EventsQuery } from './task-actions.schemas.ts'
import { json, type TaskRouteDeps } from './task-route-deps.ts'
import { TaskIdParam } from './tasks.schemas.ts'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function registerTaskHistoryRoutes(app: OpenAPIHono, deps: TaskRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tasks/{id}/events',
      tags: ['tasks'],
      summary: "The task's events, in version order",
      request: { params: TaskIdParam, query: EventsQuery },
      responses: { 200: { description: 'A page of the event history', ...json(EventList) }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const q = c.req.valid('query')
      const { row, reached } = await deps.waitForVersion(() => historyVersion(deps.db, 'task', id), q.minVersion)
      if (!reached)
        throw new AppError(
          'read-model.behind',
          `the event history has not reached version ${q.minVersion} of task ${id} yet; retry shortly`,
          { retriable: true },
        )
      if (!row) throw new NotFoundError('task', id)
      const rows = await aggregateEvents(deps.db, 'task', id, q.afterVersion, q.limit)
      const items = rows.map((e) => ({
        version: e.version,
        type: e.event_type,
        eventId: e.event_id,
        occurredAt: e.occurred_at.toISOString(),
        data: e.data as Record<string, unknown>,
        meta: e.meta as Record<string, unknown>,
        position: { topic: e.topic, partition: e.partition, offset: e.offset },
      }))
      const last = items[items.length - 1]
      return c.json({ id, items, next: items.length === q.limit && last && last.version < row.version ? last.version : undefined }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tasks/{id}/attempts',
      tags: ['tasks'],
      summary: 'Every run of the task: who ran it, when, and how it ended',
      request: { params: TaskIdParam },
      responses: {
        200: { description: 'Runs in order (a run resumed after human input is listed again with the same attempt)', ...json(AttemptList) },
        ...problemResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      if (!(await getTask(deps.db, id))) throw new NotFoundError('task', id)
      const items = (await taskAttempts(deps.db, id)).map((a) => ({
        attempt: a.attempt,
        queuedVersion: a.queued_version,
        agentId: a.agent_id,
        queuedAt: a.queued_at.toISOString(),
        claimedAt: iso(a.claimed_at),
        startedAt: iso(a.started_at),
        endedAt: iso(a.ended_at),
        outcome: a.outcome,
        error: a.error,
        durationMs: a.duration_ms,
      }))
      return c.json({ id, items }, 200)
    },
  )
}
