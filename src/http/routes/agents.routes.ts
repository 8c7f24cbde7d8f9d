import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { AgentCommand } from '../../commands/agent/agent.commands.ts'
import { agentDecider } from '../../commands/agent/agent.decider.ts'
import type { CommandContext, CommandHandler, CommandResult } from '../../commands/handle-command.ts'
import { newId } from '../../infra/ids.ts'
import { AppError, NotFoundError, ValidationError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import type { HeartbeatStore } from '../../presence/heartbeat-store.ts'
import { agentRunMetrics, decodeAgentCursor, getAgent, listAgents, type AgentFilters } from '../../projections/agents/agents.queries.ts'
import type { VersionWaiter } from '../../projections/read-your-writes.ts'
import { respondToCommand } from '../command-response.ts'
import type { IdempotencyStore } from '../idempotency.ts'
import { commandResponses, problemResponses } from '../openapi-responses.ts'
import { CommandAccepted, MinVersionQuery } from './tasks.schemas.ts'
import {
  AgentIdParam,
  AgentList,
  AgentStatusBody,
  AgentView,
  DeregisterQuery,
  HealthyAgentsQuery,
  ListAgentsQuery,
  ProjectAgentsQuery,
  RegisterAgentBody,
  UpdateAgentBody,
  AgentMetrics,
} from './agents.schemas.ts'
import { agentViews } from './agents.views.ts'

export type AgentRouteDeps = Readonly<{
  execute: CommandHandler
  db: Db
  idempotency: IdempotencyStore
  heartbeats: HeartbeatStore
  waitForVersion: VersionWaiter
}>

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })

type Page = { limit: number; cursor?: string; sort: 'createdAt' | 'name' | 'lastHeartbeatAt'; order: 'asc' | 'desc' }

export function registerAgentRoutes(app: OpenAPIHono, deps: AgentRouteDeps): void {
  const command = (id: string, c: AgentCommand, ctx: CommandContext, expectNew = false) =>
    deps.execute('agent', id, agentDecider, c, ctx, { expectNew })

  const page = async (filters: AgentFilters, q: Page) => {
    const after = q.cursor === undefined ? undefined : decodeAgentCursor(q.cursor)
    if (q.cursor !== undefined && !after) throw new ValidationError('cursor is not one this API returned')
    const result = await listAgents(deps.db, filters, { sort: q.sort, direction: q.order }, q.limit, after)
    return { items: await agentViews(deps.heartbeats, result.items), next: result.next }
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/agents',
      tags: ['agents'],
      summary: 'Register an agent',
      request: { body: { ...json(RegisterAgentBody), required: true } },
      responses: { 201: { description: 'AgentRegistered appended', ...json(CommandAccepted) }, ...commandResponses },
    }),
    (c) => {
      const body = c.req.valid('json')
      return respondToCommand(
        c,
        deps.idempotency,
        201,
        async (ids, ctx, mayExist) => {
          const result = await command(
            ids.aggregateId,
            {
              type: 'RegisterAgent',
              commandId: ids.commandId,
              name: body.name,
              role: body.role,
              pool: body.pool ?? null,
              projectId: body.projectId ?? null,
              capabilities: body.capabilities,
              metadata: body.metadata,
            },
            ctx,
            body.id === undefined && !mayExist,
          )
          // Registration is the first sign of life: from now on the agent must heartbeat.
          await deps.heartbeats.record(result.aggregateId, Date.now())
          return result
        },
        body.id,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/agents/healthy',
      tags: ['agents'],
      summary: 'Healthy agents ready for work (idle or busy)',
      request: { query: HealthyAgentsQuery },
      responses: { 200: { description: 'A page of agents', ...json(AgentList) }, ...problemResponses },
    }),
    async (c) => {
      const q = c.req.valid('query')
      return c.json(await page({ healthy: true, statuses: ['idle', 'busy'], pool: q.pool, role: q.role, projectId: q.projectId }, q), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/agents',
      tags: ['agents'],
      summary: 'List agents',
      request: { query: ListAgentsQuery },
      responses: { 200: { description: 'A page of agents', ...json(AgentList) }, ...problemResponses },
    }),
    async (c) => {
      const q = c.req.valid('query')
      return c.json(
        await page(
          { statuses: q.status ? [q.status] : undefined, pool: q.pool, role: q.role, projectId: q.projectId, healthy: q.healthy },
          q,
        ),
        200,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/projects/{id}/agents',
      tags: ['agents'],
      summary: "A project's agents",
      request: { params: AgentIdParam, query: ProjectAgentsQuery },
      responses: { 200: { description: 'A page of agents', ...json(AgentList) }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const q = c.req.valid('query')
      return c.json(await page({ projectId: id, statuses: q.status ? [q.status] : undefined, pool: q.pool, role: q.role }, q), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/agents/{id}',
      tags: ['agents'],
      summary: 'Get an agent (read model)',
      request: { params: AgentIdParam, query: MinVersionQuery },
      responses: { 200: { description: 'The agent', ...json(AgentView) }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const { minVersion } = c.req.valid('query')
      const { row, reached } = await deps.waitForVersion(() => getAgent(deps.db, id), minVersion, { table: 'agents', key: id })
      if (!reached)
        throw new AppError('read-model.behind', `the read model has not reached version ${minVersion} of agent ${id} yet; retry shortly`, {
          retriable: true,
        })
      if (!row) throw new NotFoundError('agent', id)
      const [view] = await agentViews(deps.heartbeats, [row])
      return c.json(view!, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/agents/{id}',
      tags: ['agents'],
      summary: 'Update what an agent is described as: role, capabilities, metadata',
      request: { params: AgentIdParam, body: { ...json(UpdateAgentBody), required: true } },
      responses: { 200: { description: 'AgentProfileUpdated appended', ...json(CommandAccepted) }, ...commandResponses },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      const b = c.req.valid('json')
      const changes = { role: b.role, capabilities: b.capabilities, metadata: b.metadata }
      return respondToCommand(c, deps.idempotency, 200, (_ids, ctx) => command(id, { type: 'UpdateAgentProfile', ...changes }, ctx), id)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/agents/{id}/metrics',
      tags: ['agents'],
      summary: "An agent's work: runs completed and failed, mean run time, the task it runs now",
      request: { params: AgentIdParam },
      responses: { 200: { description: 'The counters', ...json(AgentMetrics) }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      // An agent registered a moment ago may not be projected yet: waited for like a read of version 1.
      const { row } = await deps.waitForVersion(() => getAgent(deps.db, id), 1, { table: 'agents', key: id })
      if (!row) throw new NotFoundError('agent', id)
      return c.json({ agentId: id, ...(await agentRunMetrics(deps.db, id)) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/agents/{id}/status',
      tags: ['agents'],
      summary: 'Report status: idle, busy, offline or error',
      request: { params: AgentIdParam, body: { ...json(AgentStatusBody), required: true } },
      responses: { 200: { description: 'AgentStatusChanged appended (or unchanged)', ...json(CommandAccepted) }, ...commandResponses },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      const body = c.req.valid('json')
      return respondToCommand(
        c,
        deps.idempotency,
        200,
        (_ids, ctx) => command(id, { type: 'UpdateAgentStatus', status: body.status, reason: body.reason ?? null }, ctx),
        id,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/agents/{id}/heartbeat',
      tags: ['agents'],
      summary: 'Heartbeat (not an event; AgentRecovered when the agent was offline)',
      request: { params: AgentIdParam },
      responses: { 200: { description: 'Heartbeat recorded', ...json(CommandAccepted) }, ...commandResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      // Heartbeats are idempotent by nature: no Idempotency-Key, which would replay a stale beat.
      const ctx: CommandContext = {
        commandId: newId(),
        correlationId: c.req.header('x-correlation-id') ?? c.get('requestId'),
        causationId: null,
        actor: 'api',
      }
      const at = Date.now()
      const recover = async () => {
        const result = await command(id, { type: 'RecordHeartbeat', at }, ctx)
        await deps.heartbeats.record(id, at)
        return result
      }
      const beat = async (): Promise<CommandResult> => {
        // The common case costs one read and one Redis call. Unknown, finished, pending or unhealthy
        // agents (or a read model that is behind) go through the decider, which refuses or recovers.
        const row = await getAgent(deps.db, id)
        if (!row?.healthy || ['pending', 'terminated', 'deregistered'].includes(row.status)) return recover()
        // Not watched any more: the monitor has just marked it offline (the row may still say healthy).
        if (!(await deps.heartbeats.record(id, at))) return recover()
        return { aggregateId: id, state: undefined, version: row.version, events: [], positions: [] }
      }
      const result = await beat()
      return c.json({ id: result.aggregateId, version: result.version, events: [...result.events] }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/agents/{id}',
      tags: ['agents'],
      summary: 'Deregister an agent',
      request: { params: AgentIdParam, query: DeregisterQuery },
      responses: {
        200: { description: 'AgentDeregistered appended (or already deregistered)', ...json(CommandAccepted) },
        ...commandResponses,
      },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      const { reason } = c.req.valid('query')
      return respondToCommand(
        c,
        deps.idempotency,
        200,
        async (_ids, ctx) => {
          const result = await command(id, { type: 'DeregisterAgent', reason: reason ?? null }, ctx)
          await deps.heartbeats.remove(id)
          return result
        },
        id,
      )
    },
  )
}
