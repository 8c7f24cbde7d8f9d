import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { CommandContext, CommandHandler } from '../../commands/handle-command.ts'
import { projectDecider } from '../../commands/project/project.decider.ts'
import type { ProjectCommand } from '../../commands/project/project.commands.ts'
import { AppError, NotFoundError, ValidationError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import { getProject, listProjects, projectStatus, type ProjectRecord } from '../../projections/projects/projects.queries.ts'
import { decodeCursor } from '../../projections/created-at-cursor.ts'
import type { VersionWaiter } from '../../projections/read-your-writes.ts'
import { respondToCommand } from '../command-response.ts'
import type { IdempotencyStore } from '../idempotency.ts'
import { commandResponses, problemResponses } from '../openapi-responses.ts'
import { CommandAccepted, MinVersionQuery } from './tasks.schemas.ts'
import {
  ArchiveProjectBody,
  CreateProjectBody,
  ListProjectsQuery,
  ProjectIdParam,
  ProjectList,
  ProjectStatusView,
  ProjectView,
  UpdateProjectBody,
} from './projects.schemas.ts'

export type ProjectRouteDeps = Readonly<{ execute: CommandHandler; db: Db; idempotency: IdempotencyStore; waitForVersion: VersionWaiter }>

const toProjectView = (p: ProjectRecord) => ({
  id: p.id,
  version: p.version,
  name: p.name,
  description: p.description,
  metadata: p.metadata,
  status: p.status as 'active',
  archiveReason: p.archive_reason,
  createdAt: p.created_at.toISOString(),
  updatedAt: p.updated_at.toISOString(),
})

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })

export function registerProjectRoutes(app: OpenAPIHono, deps: ProjectRouteDeps): void {
  const command = (id: string, c: ProjectCommand, ctx: CommandContext, expectNew = false) =>
    deps.execute('project', id, projectDecider, c, ctx, { expectNew })
  const read = async (id: string, minVersion: number | undefined) => {
    const { row, reached } = await deps.waitForVersion(() => getProject(deps.db, id), minVersion, { table: 'projects', key: id })
    if (!reached)
      throw new AppError('read-model.behind', `the read model has not reached version ${minVersion} of project ${id} yet; retry shortly`, {
        retriable: true,
      })
    if (!row) throw new NotFoundError('project', id)
    return row
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/projects',
      tags: ['projects'],
      summary: 'Create a project',
      request: { body: { ...json(CreateProjectBody), required: true } },
      responses: { 201: { description: 'ProjectCreated appended', ...json(CommandAccepted) }, ...commandResponses },
    }),
    (c) => {
      const b = c.req.valid('json')
      return respondToCommand(c, deps.idempotency, 201, (ids, ctx, mayExist) =>
        command(
          ids.aggregateId,
          {
            type: 'CreateProject',
            commandId: ids.commandId,
            name: b.name,
            description: b.description ?? null,
            metadata: b.metadata,
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
      path: '/api/v1/projects',
      tags: ['projects'],
      summary: 'List projects, newest first',
      request: { query: ListProjectsQuery },
      responses: { 200: { description: 'A page of projects', ...json(ProjectList) }, ...problemResponses },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor)
      if (q.cursor !== undefined && !after) throw new ValidationError('cursor is not one this API returned')
      const page = await listProjects(deps.db, q.status, q.limit, after)
      return c.json({ items: page.items.map(toProjectView), next: page.next }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/projects/{id}',
      tags: ['projects'],
      summary: 'Get a project (read model)',
      request: { params: ProjectIdParam, query: MinVersionQuery },
      responses: { 200: { description: 'The project', ...json(ProjectView) }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      return c.json(toProjectView(await read(id, c.req.valid('query').minVersion)), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/projects/{id}/status',
      tags: ['projects'],
      summary: 'Tasks by status, agents, pending HITL requests and workflows of a project',
      request: { params: ProjectIdParam, query: MinVersionQuery },
      responses: { 200: { description: "The project's status", ...json(ProjectStatusView) }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const p = await read(id, c.req.valid('query').minVersion)
      return c.json({ projectId: p.id, name: p.name, status: p.status as 'active', ...(await projectStatus(deps.db, id)) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/projects/{id}',
      tags: ['projects'],
      summary: 'Update name, description or metadata',
      request: { params: ProjectIdParam, body: { ...json(UpdateProjectBody), required: true } },
      responses: {
        200: { description: 'ProjectUpdated appended (nothing when unchanged)', ...json(CommandAccepted) },
        ...commandResponses,
      },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      const b = c.req.valid('json')
      return respondToCommand(c, deps.idempotency, 200, (_ids, ctx) => command(id, { type: 'UpdateProject', ...b }, ctx), id)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/projects/{id}/archive',
      tags: ['projects'],
      summary: 'Archive a project',
      request: { params: ProjectIdParam, body: { ...json(ArchiveProjectBody), required: false } },
      responses: { 200: { description: 'ProjectArchived appended (or already archived)', ...json(CommandAccepted) }, ...commandResponses },
    }),
    (c) => {
      const { id } = c.req.valid('param')
      const b: { reason?: string | null } = c.req.valid('json') ?? {}
      return respondToCommand(
        c,
        deps.idempotency,
        200,
        (_ids, ctx) => command(id, { type: 'ArchiveProject', reason: b.reason ?? null }, ctx),
        id,
      )
    },
  )
}
