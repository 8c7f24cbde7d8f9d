import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { CommandContext, CommandHandler } from '../../commands/handle-command.ts'
import { workflowDecider } from '../../commands/workflow/workflow.decider.ts'
import type { WorkflowCommand } from '../../commands/workflow/workflow.commands.ts'
import { AppError, NotFoundError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import {
  getWorkflow,
  getWorkflowSteps,
  type WorkflowRecord,
  type WorkflowStepRecord,
} from '../../projections/workflows/workflows.queries.ts'
import type { VersionWaiter } from '../../projections/read-your-writes.ts'
import { respondToCommand } from '../command-response.ts'
import type { IdempotencyStore } from '../idempotency.ts'
import { commandResponses, problemResponses } from '../openapi-responses.ts'
import { CommandAccepted, MinVersionQuery } from './tasks.schemas.ts'
import type { PoolGate } from '../pool-gate.ts'
import {
  CancelWorkflowBody,
  CreateWorkflowBody,
  ListWorkflowsQuery,
  WorkflowIdParam,
  WorkflowList,
  WorkflowView,
} from './workflows.schemas.ts'

export type WorkflowRouteDeps = Readonly<{
  execute: CommandHandler
  db: Db
  idempotency: IdempotencyStore
  waitForVersion: VersionWaiter
  pools: PoolGate
}>

/** Every pool the steps name takes new tasks (each step becomes a task of its pool). */
const requireStepPools = async (deps: WorkflowRouteDeps, pools: readonly string[]) => {
  for (const pool of new Set(pools)) await deps.pools.requireOpen(pool)
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString())
const running = new Set(['claimed', 'running', 'awaiting_input', 'retry_scheduled'])

/** A settled step shows its outcome; an open one shows where its task is. */
const stepState = (s: WorkflowStepRecord): string => {
  if (s.outcome !== 'pending') return s.outcome
  if (s.task_status === null) return 'pending'
  if (s.task_status === 'created') return 'queued'
  return running.has(s.task_status) ? 'running' : s.task_status
}

const toSummary = (w: WorkflowRecord) => ({
  id: w.id,
  version: w.version,
  name: w.name,
  description: w.description,
  projectId: w.project_id,
  status: w.status as 'pending',
  progress: {
    completed: w.steps_completed,
    skipped: w.steps_skipped,
    total: w.steps_total,
    percent: w.steps_total === 0 ? 0 : Math.floor(((w.steps_completed + w.steps_skipped) * 100) / w.steps_total),
  },
  failedStep: w.failed_step,
  error: w.error,
  cancelReason: w.cancel_reason,
  createdAt: w.created_at.toISOString(),
  startedAt: iso(w.started_at),
  finishedAt: iso(w.finished_at),
  updatedAt: w.updated_at.toISOString(),
})

const toStepView = (s: WorkflowStepRecord) => ({
  stepId: s.step_id,
  taskId: s.task_id,
  title: s.title,
  pool: s.pool,
  priority: s.priority,
  dependsOn: s.depends_on,
  optional: s.optional,
  state: stepState(s),
  taskStatus: s.task_status,
  taskProgress: s.task_progress,
  error: s.error,
})

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })

export function registerWorkflowRoutes(app: OpenAPIHono, deps: WorkflowRouteDeps): void {
  const command = (id: string, c: WorkflowCommand, ctx: CommandContext, expectNew = false) =>
    deps.execute('workflow', id, workflowDecider, c, ctx, { expectNew })

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/workflows',
      tags: ['workflows'],
      summary: 'Define a workflow: a DAG of steps (validated)',
      request: { body: { ...json(CreateWorkflowBody), required: true } },
      responses: { 201: { description: 'WorkflowCreated appended', ...json(CommandAccepted) }, ...commandResponses },
    }),
    async (c) => {
      const b = c.req.valid('json')
      await requireStepPools(
        deps,
        b.steps.map((s) => s.pool),
      )
      return respondToCommand(c, deps.idempotency, 201, (ids, ctx, mayExist) =>
        command(
          ids.aggregateId,
          {
            type: 'CreateWorkflow',
            commandId: ids.commandId,
            name: b.name,
            description: b.description ?? null,
            projectId: b.projectId ?? null,
            steps: b.steps.map((s) => ({ ...s, payload: JSON.stringify(s.payload ?? null) })),
          },
          ctx,
          !mayExist,
        ),
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/workflows',
      tags: ['workflows'],
      summary: 'List workflows, newest first',
      request: { query: ListWorkflowsQuery },
      responses: { 200: { description: 'Workflows', ...json(WorkflowList) }, ...problemResponses },
    }),
    async (c) => {
      const q = c.req.valid('query')
      let query = deps.db.selectFrom('workflows').selectAll()
      if (q.projectId) query = query.where('project_id', '=', q.projectId)
      if (q.status) query = query.where('status', '=', q.status)
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()
      return c.json({ items: rows.map(toSummary) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/workflows/{id}',
      tags: ['workflows'],
      summary: 'Get a workflow with per-step state and progress',
      request: { params: WorkflowIdParam, query: MinVersionQuery },
      responses: { 200: { description: 'The workflow', ...json(WorkflowView) }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const { minVersion } = c.req.valid('query')
      const { row, reached } = await deps.waitForVersion(() => getWorkflow(deps.db, id), minVersion, { table: 'workflows', key: id })
      if (!reached)
        throw new AppError(
          'read-model.behind',
          `the read model has not reached version ${minVersion} of workflow ${id} yet; retry shortly`,
          { retriable: true },
        )
      if (!row) throw new NotFoundError('workflow', id)
      const steps = await getWorkflowSteps(deps.db, id)
      return c.json({ ...toSummary(row), steps: steps.map(toStepView) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/workflows/{id}/execute',
      tags: ['workflows'],
      summary: 'Start a workflow: its steps become tasks',
      request: { params: WorkflowIdParam },
      responses: {
        202: { description: 'WorkflowStarted appended (or already running); tasks follow', ...json(CommandAccepted) },
        ...commandResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      await requireStepPools(
        deps,
        (await getWorkflowSteps(deps.db, id)).map((s) => s.pool),
      )
      return respondToCommand(c, deps.idempotency, 202, (_ids, ctx) => command(id, { type: 'StartWorkflow' }, ctx), id)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/workflows/{id}/cancel',
      tags: ['workflows'],
      summary: 'Cancel a workflow and its open tasks',
      request: { params: WorkflowIdParam, body: { ...json(CancelWorkflowBody), required: false } },
      responses: {
        200: { description: 'WorkflowCancelled appended (or already cancelled)', ...json(CommandAccepted) },
        ...commandResponses,
      },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      const b: { reason?: string | null } = c.req.valid('json') ?? {}
      return respondToCommand(
        c,
        deps.idempotency,
        200,
        (_ids, ctx) => command(id, { type: 'CancelWorkflow', reason: b.reason ?? null }, ctx),
        id,
      )
    },
  )
}
