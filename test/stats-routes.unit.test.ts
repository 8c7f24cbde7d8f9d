import { OpenAPIHono } from '@hono/zod-openapi'
import { describe, expect, it } from 'vitest'
import { problemResponse } from '../src/http/problem-details.ts'
import { registerQueueStatsRoutes } from '../src/http/routes/queue-stats.routes.ts'
import { registerSystemRoutes } from '../src/http/routes/system.routes.ts'
import { ValidationError } from '../src/errors.ts'
import type { Db } from '../src/infra/postgres.ts'

/** Routes in-process; the database is never reached because validation refuses first. */
const app = () => {
  const a = new OpenAPIHono({
    defaultHook: (r, c) => {
      if (!r.success) return problemResponse(c, new ValidationError(r.error.message))
    },
  })
  const db = new Proxy(
    {},
    {
      get: () => {
        throw new Error('no database in this test')
      },
    },
  ) as Db
  registerQueueStatsRoutes(a, { db, clock: Date.now })
  registerSystemRoutes(a, { db, placements: [], clock: Date.now })
  a.onError((e, c) => problemResponse(c, e))
  return a
}

describe('stats and system routes', () => {
  it('describe themselves in OpenAPI', () => {
    const doc = app().getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } })
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual([
      '/api/v1/queue/stats',
      '/api/v1/queue/stats/{pool}',
      '/api/v1/system/metrics/history',
      '/api/v1/system/status',
    ])
  })

  it('refuse bad windows and ranges before touching the database', async () => {
    for (const path of [
      '/api/v1/queue/stats?window=15',
      '/api/v1/queue/stats/p?window=99d',
      '/api/v1/queue/stats/Bad!',
      '/api/v1/system/metrics/history?limit=0',
      '/api/v1/system/metrics/history?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z',
    ]) {
      const res = await app().request(path)
      expect(res.status, path).toBe(400)
      expect(((await res.json()) as { code: string }).code).toBe('request.invalid')
    }
  })
})
