import { hostname } from 'node:os'
import type { ServerResponse } from 'node:http'
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { streamSSE } from 'hono/streaming'
import type { StreamHub } from '../../stream/stream-hub.ts'
import { problemResponses } from '../openapi-responses.ts'

const StreamQuery = z.object({
  aggregateType: z.string().max(500).optional().openapi({ description: 'comma-separated aggregate types, e.g. task,agent' }),
  aggregateId: z.string().max(200).optional(),
  pool: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'events of aggregates in this pool (taken from the events, e.g. TaskCreated.pool)' }),
  projectId: z.string().max(200).optional(),
  types: z.string().max(2_000).optional().openapi({ description: 'comma-separated event types, e.g. TaskCreated,TaskCancelled' }),
  lastEventId: z.string().max(4_096).optional().openapi({ description: 'resume position, when the Last-Event-ID header cannot be set' }),
})

const servedBy = `${hostname()}:${process.pid}`

/**
 * `GET /api/v1/stream`: Server-Sent Events. Each frame's `id` is an opaque stream position;
 * reconnecting with it (Last-Event-ID header or `?lastEventId=`) resumes exactly after that
 * frame. Comments carry heartbeats (with the current position as id); a client that falls
 * behind its buffer gets `event: overflow` with the id to resume from, then the stream ends.
 */
export function registerStreamRoutes(app: OpenAPIHono, deps: { stream: StreamHub }): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/stream',
      tags: ['stream'],
      summary: 'Live event stream (Server-Sent Events), resumable',
      request: { query: StreamQuery, headers: z.object({ 'last-event-id': z.string().max(4_096).optional() }) },
      responses: {
        200: { description: 'text/event-stream of events', content: { 'text/event-stream': { schema: z.string() } } },
        ...problemResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query')
      const run = await deps.stream.open(query, c.req.header('last-event-id') ?? query.lastEventId)
      c.header('x-served-by', servedBy)
      // Reverse proxies must not buffer the stream.
      c.header('x-accel-buffering', 'no')
      const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
      return streamSSE(c, async (stream) => {
        const aborted = new AbortController()
        stream.onAbort(() => aborted.abort())
        await run(
          {
            send: (frame) => stream.writeSSE(frame),
            comment: (text, id) => stream.write(`: ${text}\n${id ? `id: ${id}\n` : ''}\n`).then(() => undefined),
            abort: () => {
              stream.abort()
              outgoing?.destroy()
            },
          },
          aborted.signal,
        )
      }) as never
    },
  )
}
