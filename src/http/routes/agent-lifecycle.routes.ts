import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { agentDecider } from '../../commands/agent/agent.decider.ts'
import type { CommandContext, CommandHandler, CommandResult } from '../../commands/handle-command.ts'
import { DomainError, NotFoundError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import type { HeartbeatStore } from '../../presence/heartbeat-store.ts'
import { terminationCandidates } from '../../projections/agents/agents.queries.ts'
import { getPool } from '../../projections/pools/pools.queries.ts'
import { respondToBatchCommand } from '../batch-command-response.ts'
import type { IdempotencyStore } from '../idempotency.ts'
import { commandResponses } from '../openapi-responses.ts'
import { BatchAccepted, SpawnAgentsBody, TerminateAgentsBody } from './agents.schemas.ts'

export type AgentLifecycleDeps = Readonly<{ execute: CommandHandler; db: Db; idempotency: IdempotencyStore; heartbeats: HeartbeatStore }>

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })

/** Agents hosted by a pool's worker group: spawn (pending until a worker hosts them) and terminate. */
export function registerAgentLifecycleRoutes(app: OpenAPIHono, deps: AgentLifecycleDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/agents/spawn',
      tags: ['agents'],
      summary: "Spawn agents in a pool's worker group",
      request: { body: { ...json(SpawnAgentsBody), required: true } },
      responses: { 201: { description: 'AgentSpawned appended per agent', ...json(BatchAccepted) }, ...commandResponses },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const pool = await getPool(deps.db, body.pool)
      if (!pool) throw new NotFoundError('pool', body.pool)
      if (pool.status !== 'active') throw new DomainError('pool.draining', `pool ${body.pool} is ${pool.status}; it takes no new agents`)
      return respondToBatchCommand(c, deps.idempotency, 201, (ids, ctx, mayExist) =>
        Promise.all(
          Array.from({ length: body.count }, (_, i) => {
            // Ids derive from the request's ids, so a retry with the same Idempotency-Key reuses them.
            const id = body.count === 1 ? ids.aggregateId : `${ids.aggregateId}-${i + 1}`
            const name =
              body.name === undefined
                ? `${body.pool}-${id.slice(-8).toLowerCase()}`
                : body.count === 1
                  ? body.name
                  : `${body.name}-${i + 1}`
            return deps.execute(
              'agent',
              id,
              agentDecider,
              {
                type: 'SpawnAgent',
                commandId: ids.commandId,
                name,
                role: pool.role,
                pool: body.pool,
                capabilities: body.capabilities,
                metadata: body.metadata,
              },
              ctx,
              { expectNew: !mayExist },
            )
          }),
        ),
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/agents/terminate',
      tags: ['agents'],
      summary: 'Terminate spawned agents (one by id, or count of a pool)',
      request: { body: { ...json(TerminateAgentsBody), required: true } },
      responses: {
        202: { description: 'AgentTerminationRequested (or AgentTerminated when not hosted yet) per agent', ...json(BatchAccepted) },
        ...commandResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      let targets: string[]
      if (body.agentId !== undefined) targets = [body.agentId]
      else {
        if (!(await getPool(deps.db, body.pool!))) throw new NotFoundError('pool', body.pool!)
        targets = await terminationCandidates(deps.db, body.pool!, body.count ?? 1)
      }
      const terminate = async (id: string, ctx: CommandContext): Promise<CommandResult> => {
        const result = await deps.execute(
          'agent',
          id,
          agentDecider,
          { type: 'RequestAgentTermination', graceful: body.graceful, reason: body.reason ?? null },
          ctx,
        )
        if (result.events.some((e) => e.type === 'AgentTerminated')) await deps.heartbeats.remove(id)
        return result
      }
      return respondToBatchCommand(c, deps.idempotency, 202, (_ids, ctx) => Promise.all(targets.map((id) => terminate(id, ctx))))
    },
  )
}
