import { OpenAPIHono } from '@hono/zod-openapi'
import { describe, expect, it } from 'vitest'
import type { DeadLetterRouteDeps } from '../src/http/routes/dead-letters.routes.ts'
import { registerDeadLetterRoutes } from '../src/http/routes/dead-letters.routes.ts'
import { registerQueueRoutes, type QueueRouteDeps } from '../src/http/routes/queue.routes.ts'

describe('queue and dead-letter routes in OpenAPI', () => {
  it('documents every endpoint with its statuses', () => {
    const app = new OpenAPIHono()
    // Registering only builds scripts and schemas: nothing connects.
    registerQueueRoutes(app, {
      redis: {},
      prefix: 'x:',
      leaseMs: 30_000,
      maxWaitS: 30,
      retryPolicy: { baseMs: 1, maxMs: 2 },
    } as unknown as QueueRouteDeps)
    registerDeadLetterRoutes(app, {} as DeadLetterRouteDeps)
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } })
    const paths = doc.paths ?? {}
    for (const action of ['start', 'heartbeat', 'progress', 'complete', 'fail'])
      expect(paths).toHaveProperty([`/api/v1/queue/tasks/{id}/${action}`])
    expect(Object.keys(paths['/api/v1/queue/claim']?.post?.responses ?? {})).toEqual(expect.arrayContaining(['200', '204', '400', '409']))
    for (const p of [
      '/api/v1/dead-letters',
      '/api/v1/dead-letters/{id}',
      '/api/v1/dead-letters/requeue',
      '/api/v1/dead-letters/purge',
      '/api/v1/dead-letters/{id}/requeue',
      '/api/v1/dead-letters/{id}/purge',
    ]) {
      expect(paths).toHaveProperty([p])
    }
  })
})
