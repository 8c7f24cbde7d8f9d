import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { NotFoundError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import { getPool } from '../../projections/pools/pools.queries.ts'
import { listWorkers } from '../../projections/workers/worker-processes.queries.ts'
import { problemResponses } from '../openapi-responses.ts'
import { PoolNameParam } from './pools.schemas.ts'

const WorkerView = z
  .object({
    workerId: z.string(),
    pool: z.string(),
    host: z.string(),
    pid: z.number().int().nullable(),
    status: z.enum(['starting', 'consuming', 'draining']),
    inFlight: z.number().int().openapi({ description: 'tasks running or waiting for a slot in this process' }),
    lag: z.number().int().openapi({ description: "the pool's consumer-group lag at the last poll" }),
    startedAt: z.string(),
    lastSeenAt: z.string(),
  })
  .openapi('WorkerProcess')

const WorkerList = z.object({ items: z.array(WorkerView) }).openapi('WorkerProcessList')

/** GET /api/v1/pools/:name/workers: the live worker processes of a pool's worker group. */
export function registerWorkerRoutes(app: OpenAPIHono, deps: Readonly<{ db: Db }>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/pools/{name}/workers',
      tags: ['pools'],
      summary: 'Worker processes of a pool',
      request: { params: PoolNameParam },
      responses: {
        200: { description: "The pool's worker processes, oldest first", content: { 'application/json': { schema: WorkerList } } },
        ...problemResponses,
      },
    }),
    async (c) => {
      const { name } = c.req.valid('param')
      const rows = await listWorkers(deps.db, name)
      if (rows.length === 0 && !(await getPool(deps.db, name))) throw new NotFoundError('pool', name)
      return c.json(
        {
          items: rows.map((r) => ({
            workerId: r.worker_id,
            pool: r.pool,
            host: r.host,
            pid: r.pid,
            status: r.status as 'consuming',
            inFlight: r.in_flight,
            lag: Number(r.lag),
            startedAt: r.started_at.toISOString(),
            lastSeenAt: r.last_seen_at.toISOString(),
          })),
        },
        200,
      )
    },
  )
}
