import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { CommandContext, CommandHandler } from '../../commands/handle-command.ts'
import type { PoolCommand } from '../../commands/pool/pool.commands.ts'
import { poolDecider } from '../../commands/pool/pool.decider.ts'
import { activeTaskStatuses, type PoolMode } from '../../commands/pool/pool.state.ts'
import { AppError, NotFoundError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import { agentCountsByStatus } from '../../projections/agents/agents.queries.ts'
import {
  countActiveTasks,
  deletedPoolVersion,
  getPool,
  listPools,
  taskCountsByStatus,
  type PoolRecord,
} from '../../projections/pools/pools.queries.ts'
import type { VersionWaiter } from '../../projections/read-your-writes.ts'
import { respondToCommand } from '../command-response.ts'
import type { IdempotencyStore } from '../idempotency.ts'
import { commandResponses, problemResponses } from '../openapi-responses.ts'
import { CommandAccepted, MinVersionQuery } from './tasks.schemas.ts'
import {
  CreatePoolBody,
  DeletePoolQuery,
  ListPoolsQuery,
  PoolList,
  PoolNameParam,
  PoolStats,
  PoolView,
  UpdatePoolBody,
} from './pools.schemas.ts'

export type PoolRouteDeps = Readonly<{ execute: CommandHandler; db: Db; idempotency: IdempotencyStore; waitForVersion: VersionWaiter }>

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)

export const toPoolView = (p: PoolRecord) => ({
  name: p.name,
  version: p.version,
  role: p.role,
  mode: p.mode as PoolMode,
  handler: p.handler,
  handlerConfig: p.handler_config,
  maxAgentsPerProcess: p.max_agents_per_process,
  minWorkers: p.min_workers,
  maxWorkers: p.max_workers,
  lagThreshold: p.lag_threshold,
  scaleIntervalMs: p.scale_interval_ms,
  scaleDownStabilizationMs: p.scale_down_stabilization_ms,
  status: p.status as 'active',
  health: p.degraded_reason === null ? ('ok' as const) : ('degraded' as const),
  degradedReason: p.degraded_reason,
  degradedAt: p.degraded_at?.toISOString() ?? null,
  workers: p.running_workers,
  desiredWorkers: p.workers,
  lastScaling: p.last_scaling ?? null,
  createdAt: p.created_at.toISOString(),
  updatedAt: p.updated_at.toISOString(),
})

export function registerPoolRoutes(app: OpenAPIHono, deps: PoolRouteDeps): void {
  const command = (name: string, c: PoolCommand, ctx: CommandContext) => deps.execute('pool', name, poolDecider, c, ctx)
  const mustGet = async (name: string) => {
    const row = await getPool(deps.db, name)
    if (!row) throw new NotFoundError('pool', name)
    return row
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/pools',
      tags: ['pools'],
      summary: 'Create a pool',
      request: { body: { ...json(CreatePoolBody), required: true } },
      responses: { 201: { description: 'PoolCreated appended', ...json(CommandAccepted) }, ...commandResponses },
    }),
    (c) => {
      const { name, handler, ...config } = c.req.valid('json')
      return respondToCommand(
        c,
        deps.idempotency,
        201,
        (ids, ctx) =>
          command(name, { type: 'CreatePool', commandId: ids.commandId, config: { ...config, handler: handler ?? config.role } }, ctx),
        name,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/pools',
      tags: ['pools'],
      summary: 'List pools by name',
      request: { query: ListPoolsQuery },
      responses: { 200: { description: 'A page of pools', ...json(PoolList) }, ...problemResponses },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const page = await listPools(deps.db, { role: q.role, status: q.status }, q.limit, q.cursor)
      return c.json({ items: page.items.map(toPoolView), next: page.next }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/pools/{name}',
      tags: ['pools'],
      summary: 'Get a pool (read model)',
      request: { params: PoolNameParam, query: MinVersionQuery },
      responses: { 200: { description: 'The pool', ...json(PoolView) }, ...problemResponses },
    }),
    async (c) => {
      const { name } = c.req.valid('param')
      const { minVersion } = c.req.valid('query')
      // The stream head first: a row committed between the two reads is then seen by the second one.
      const read = async () => {
        const deleted = await deletedPoolVersion(deps.db, name)
        return (await getPool(deps.db, name)) ?? deleted
      }
      const { row, reached } = await deps.waitForVersion(read, minVersion)
      if (!reached)
        throw new AppError('read-model.behind', `the read model has not reached version ${minVersion} of pool ${name} yet; retry shortly`, {
          retriable: true,
        })
      if (!row || 'deleted' in row) throw new NotFoundError('pool', name)
      return c.json(toPoolView(row), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/pools/{name}/stats',
      tags: ['pools'],
      summary: 'Agents, tasks and workers of a pool',
      request: { params: PoolNameParam },
      responses: { 200: { description: 'Pool statistics', ...json(PoolStats) }, ...problemResponses },
    }),
    async (c) => {
      const { name } = c.req.valid('param')
      const pool = await mustGet(name)
      const [agents, tasks] = await Promise.all([agentCountsByStatus(deps.db, name), taskCountsByStatus(deps.db, name)])
      const active = activeTaskStatuses.reduce((n, s) => n + (tasks[s] ?? 0), 0)
      return c.json(
        {
          pool: name,
          status: pool.status,
          agents: { total: sum(agents), byStatus: agents },
          tasks: { total: sum(tasks), active, byStatus: tasks },
          workers: { desired: pool.workers, running: pool.running_workers },
          lastScaling: pool.last_scaling ?? null,
        },
        200,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/pools/{name}',
      tags: ['pools'],
      summary: "Change part of a pool's configuration",
      request: { params: PoolNameParam, body: { ...json(UpdatePoolBody), required: true } },
      responses: { 200: { description: 'PoolConfigUpdated appended (or unchanged)', ...json(CommandAccepted) }, ...commandResponses },
    }),
    (c) => {
      const { name } = c.req.valid('param')
      const changes = c.req.valid('json')
      return respondToCommand(c, deps.idempotency, 200, (_ids, ctx) => command(name, { type: 'UpdatePoolConfig', changes }, ctx), name)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/pools/{name}',
      tags: ['pools'],
      summary: 'Delete a pool; refused while its tasks are active unless ?drain=true',
      request: { params: PoolNameParam, query: DeletePoolQuery },
      responses: {
        200: {
          description: 'PoolDeleted appended, or PoolDrainStarted when draining (deleted once no task is active)',
          ...json(CommandAccepted),
        },
        ...commandResponses,
      },
    }),
    (c) => {
      const { name } = c.req.valid('param')
      const { drain } = c.req.valid('query')
      return respondToCommand(
        c,
        deps.idempotency,
        200,
        async (_ids, ctx) => command(name, { type: 'DeletePool', drain, activeTasks: await countActiveTasks(deps.db, name) }, ctx),
        name,
      )
    },
  )
}
