import { z } from '@hono/zod-openapi'

const id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
const name = z.string().trim().min(1).max(200)
const description = z.string().max(10_000).nullish()
const metadata = z.record(z.string(), z.json()).openapi({ type: 'object', description: 'free-form labels' })

export const CreateProjectBody = z
  .object({ name, description, metadata: metadata.default({}) })
  .strict()
  .openapi('CreateProject')

export const UpdateProjectBody = z
  .object({ name: name.optional(), description, metadata: metadata.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one of name, description, metadata')
  .openapi('UpdateProject')

export const ArchiveProjectBody = z
  .object({ reason: z.string().max(2_000).nullish() })
  .strict()
  .openapi('ArchiveProject')

export const ProjectIdParam = z.object({ id })

export const ListProjectsQuery = z.object({
  status: z.enum(['active', 'archived']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
})

export const ProjectView = z
  .object({
    id: z.string(),
    version: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    metadata: z.unknown(),
    status: z.enum(['active', 'archived']),
    archiveReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Project')

export const ProjectList = z.object({ items: z.array(ProjectView), next: z.string().optional() }).openapi('ProjectList')

const counts = z.object({ total: z.number().int(), byStatus: z.record(z.string(), z.number().int()) })

export const ProjectStatusView = z
  .object({
    projectId: z.string(),
    name: z.string(),
    status: z.enum(['active', 'archived']),
    tasks: counts,
    agents: counts.nullable().openapi({ description: 'null when no agents read model is kept' }),
    hitl: z.object({ pending: z.number().int() }),
    workflows: z.object({ byStatus: z.record(z.string(), z.number().int()) }),
  })
  .openapi('ProjectStatus')
