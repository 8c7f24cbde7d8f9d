import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { newId } from '../../infra/ids.ts'
import type { CommandContext, CommandHandler } from '../../commands/handle-command.ts'
import type { RetryPolicy } from '../../commands/task/retry-policy.ts'
import { AppError, DomainError } from '../../errors.ts'
import type { Logger } from '../../infra/logger.ts'
import type { Redis } from '../../infra/redis.ts'
import { createBackoffTaskDecider, type BackoffTaskCommand } from '../../queue/backoff-decider.ts'
import { claimNext, type ClaimedTask as Claimed } from '../../queue/claim-next.ts'
import { createTaskQueue } from '../../queue/task-queue.ts'
import { createWakeups } from '../../queue/wakeups.ts'
import { createTaskLeases } from '../../leases/task-leases.ts'
import { respondToCommand } from '../command-response.ts'
import type { IdempotencyStore } from '../idempotency.ts'
import { commandResponses } from '../openapi-responses.ts'
import { CommandAccepted } from './tasks.schemas.ts'
import type { PoolGate } from '../pool-gate.ts'
import {
  AgentProgressBody,
  ClaimBody,
  ClaimedTask,
  CompleteBody,
  FailBody,
  HeartbeatAccepted,
  HeartbeatBody,
  LeaseBody,
  QueueTaskParam,
} from './queue.schemas.ts'

export type QueueRouteDeps = Readonly<{
  execute: CommandHandler
  redis: Redis
  prefix: string
  idempotency: IdempotencyStore
  logger: Logger
  leaseMs: number
  maxWaitS: number
  retryPolicy: RetryPolicy
  pools: PoolGate
}>

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })

const view = (c: Claimed) => ({
  id: c.taskId,
  title: c.task.title,
  pool: c.task.pool,
  priority: c.task.priority,
  payload: JSON.parse(c.task.payload) as unknown,
  attempt: c.task.attempt,
  leaseEpoch: c.leaseEpoch,
  leaseExpiresAt: new Date(c.leaseExpiresAt).toISOString(),
  timeoutMs: c.task.timeoutMs,
  inputs: c.task.inputs.map((i) => ({ requestId: i.requestId, response: JSON.parse(i.response) as unknown })),
  version: c.version,
})

const staleLease = (id: string, leaseEpoch: number) =>
  new DomainError('task.stale-lease', `the lease of this agent on task ${id} is no longer current: the task was reaped or taken over`, {
    details: { leaseEpoch },
  })

/** The pull side of the queue for HTTP agents: claim with a lease, then start, heartbeat, progress, complete or fail. */
export function registerQueueRoutes(app: OpenAPIHono, deps: QueueRouteDeps): void {
  const queue = createTaskQueue({ redis: deps.redis, prefix: deps.prefix })
  const leases = createTaskLeases({ redis: deps.redis, prefix: deps.prefix })
  const wakeups = createWakeups({ redis: deps.redis, pattern: queue.wakePattern, logger: deps.logger })
  const backoff = createBackoffTaskDecider(deps.retryPolicy)
  const asAgent = (ctx: CommandContext, agentId: string): CommandContext => ({ ...ctx, actor: agentId })
  const correlation = (c: Context): string =>
    c.req.header('x-correlation-id') ?? (c.get('requestId' as never) as string | undefined) ?? newId()

  /**
   * A command of the agent holding a task, as that agent. `settles`: it ends the run (complete,
   * fail), so whether the lease lapsed is checked first (the decider refuses a lapsed lease) and
   * the lease is released after.
   */
  const heldTaskCommand = (
    c: Context,
    id: string,
    holder: Readonly<{ agentId: string; leaseEpoch: number }>,
    command: (now: number, leaseLapsed: boolean) => BackoffTaskCommand,
    settles = false,
  ) =>
    respondToCommand(
      c,
      deps.idempotency,
      200,
      async (_ids, ctx) => {
        const now = Date.now()
        const leaseLapsed = settles && !(await leases.holds(id, holder.leaseEpoch, now))
        const result = await deps.execute('task', id, backoff, command(now, leaseLapsed), asAgent(ctx, holder.agentId))
        if (settles) await leases.release(id, holder.leaseEpoch)
        return result
      },
      id,
    )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/queue/claim',
      tags: ['queue'],
      summary: 'Claim the next task of a pool (priority, then FIFO) with a run lease',
      request: { body: { ...json(ClaimBody), required: true } },
      responses: {
        200: { description: 'TaskClaimed appended; the lease is granted', ...json(ClaimedTask) },
        204: { description: 'The queue is empty' },
        ...commandResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      if ((body.wait ?? 0) > deps.maxWaitS)
        throw new AppError('queue.wait-too-long', `wait is at most ${deps.maxWaitS} s`, { details: { maxWaitS: deps.maxWaitS } })
      await deps.pools.requirePull(body.pool)
      const correlationId = correlation(c)
      const claimed = await claimNext(
        { execute: deps.execute, queue, leases, wakeups, clock: Date.now, logger: deps.logger },
        { agentId: body.agentId, pool: body.pool, leaseMs: body.leaseMs ?? deps.leaseMs, waitMs: (body.wait ?? 0) * 1_000 },
        () => ({ commandId: newId(), correlationId, causationId: null, actor: body.agentId }),
      )
      if (!claimed) return c.body(null, 204)
      return c.json(view(claimed), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/queue/tasks/{id}/start',
      tags: ['queue'],
      summary: 'Start running a claimed task',
      request: { params: QueueTaskParam, body: { ...json(LeaseBody), required: true } },
      responses: {
        200: { description: 'TaskStarted appended (or already running for this lease)', ...json(CommandAccepted) },
        ...commandResponses,
      },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      const body = c.req.valid('json')
      return heldTaskCommand(c, id, body, () => ({
        type: 'StartTask',
        agentId: body.agentId,
        dispatchVersion: null,
        leaseEpoch: body.leaseEpoch,
      }))
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/queue/tasks/{id}/heartbeat',
      tags: ['queue'],
      summary: 'Extend the run lease',
      request: { params: QueueTaskParam, body: { ...json(HeartbeatBody), required: true } },
      responses: { 200: { description: 'The lease was extended', ...json(HeartbeatAccepted) }, ...commandResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const body = c.req.valid('json')
      const lease = await leases.get(id)
      if (!lease || lease.epoch !== body.leaseEpoch || lease.holder !== body.agentId) throw staleLease(id, body.leaseEpoch)
      const now = Date.now()
      const leaseExpiresAt = now + (body.leaseMs ?? deps.leaseMs)
      if (!(await leases.extend(id, body.leaseEpoch, leaseExpiresAt, now))) throw staleLease(id, body.leaseEpoch)
      return c.json({ id, leaseEpoch: body.leaseEpoch, leaseExpiresAt: new Date(leaseExpiresAt).toISOString() }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/queue/tasks/{id}/progress',
      tags: ['queue'],
      summary: 'Report progress of a held task',
      request: { params: QueueTaskParam, body: { ...json(AgentProgressBody), required: true } },
      responses: { 200: { description: 'TaskProgressReported appended', ...json(CommandAccepted) }, ...commandResponses },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      const body = c.req.valid('json')
      return heldTaskCommand(c, id, body, () => ({
        type: 'ReportTaskProgress',
        percent: body.percent,
        message: body.message ?? null,
        leaseEpoch: body.leaseEpoch,
      }))
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/queue/tasks/{id}/complete',
      tags: ['queue'],
      summary: 'Complete a held task',
      request: { params: QueueTaskParam, body: { ...json(CompleteBody), required: true } },
      responses: { 200: { description: 'TaskCompleted appended; the lease is released', ...json(CommandAccepted) }, ...commandResponses },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      const body = c.req.valid('json')
      return heldTaskCommand(
        c,
        id,
        body,
        (now, leaseLapsed) => ({
          type: 'CompleteTask',
          agentId: body.agentId,
          leaseEpoch: body.leaseEpoch,
          result: body.result,
          now,
          leaseLapsed,
        }),
        true,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/queue/tasks/{id}/fail',
      tags: ['queue'],
      summary: 'Fail a held task (retried with backoff when retryable)',
      request: { params: QueueTaskParam, body: { ...json(FailBody), required: true } },
      responses: {
        200: { description: 'TaskFailed appended, then TaskRetryScheduled or TaskDeadLettered when retryable', ...json(CommandAccepted) },
        ...commandResponses,
      },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      const body = c.req.valid('json')
      return heldTaskCommand(
        c,
        id,
        body,
        (now, leaseLapsed) => ({
          type: 'FailTask',
          agentId: body.agentId,
          leaseEpoch: body.leaseEpoch,
          error: body.error,
          retryable: body.retryable,
          now,
          random: Math.random(),
          leaseLapsed,
        }),
        true,
      )
    },
  )
}
