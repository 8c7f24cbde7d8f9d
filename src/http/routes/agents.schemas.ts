import { z } from '@hono/zod-openapi'
import { AgentSort } from '../../projections/agents/agents.queries.ts'
import { AgentStatus, ReportedStatus } from '../../commands/agent/agent.state.ts'

export const agentId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
export const poolName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, _ and -')
const label = z.string().trim().min(1).max(200)
const capabilities = z.array(z.string().min(1).max(100)).max(100).default([])
const metadata = z
  .record(z.string(), z.json())
  .default({})
  .openapi({ type: 'object', example: { zone: 'eu-west' } })
const reason = z.string().max(2_000).nullish()
const boolText = z.enum(['true', 'false']).transform((v) => v === 'true')

export const RegisterAgentBody = z
  .object({
    id: agentId.optional().openapi({ description: 'choose the agent id; generated when absent' }),
    name: label.openapi({ example: 'researcher-1' }),
    role: label.openapi({ example: 'researcher' }),
    pool: poolName.nullish(),
    projectId: agentId.nullish(),
    capabilities,
    metadata,
  })
  .strict()
  .openapi('RegisterAgent')

export const AgentStatusBody = z
  .object({ status: z.enum(ReportedStatus), reason })
  .strict()
  .openapi('UpdateAgentStatus')
export const DeregisterQuery = z.object({ reason: z.string().max(2_000).optional() })

export const SpawnAgentsBody = z
  .object({
    pool: poolName,
    name: label.optional().openapi({ description: 'name of the agent (a number is appended when count > 1); defaults to <pool>-<id>' }),
    count: z.number().int().min(1).max(100).default(1),
    capabilities,
    metadata,
  })
  .strict()
  .openapi('SpawnAgents')

export const TerminateAgentsBody = z
  .object({
    agentId: agentId.optional(),
    pool: poolName.optional(),
    count: z.number().int().min(1).max(1_000).optional(),
    graceful: z.boolean().default(true),
    reason,
  })
  .strict()
  .refine((b) => (b.agentId !== undefined) !== (b.pool !== undefined), { message: 'give either agentId or pool (with count)' })
  .refine((b) => b.agentId === undefined || b.count === undefined, { message: 'count goes with pool, not with agentId' })
  .openapi('TerminateAgents')

export const AgentView = z
  .object({
    id: z.string(),
    version: z.number().int(),
    name: z.string(),
    role: z.string(),
    pool: z.string().nullable(),
    projectId: z.string().nullable(),
    capabilities: z.array(z.string()),
    metadata: z.unknown(),
    origin: z.enum(['registered', 'spawned']),
    status: z.enum(AgentStatus),
    statusReason: z.string().nullable(),
    healthy: z.boolean(),
    lastHeartbeatAt: z.string().nullable(),
    workerId: z.string().nullable(),
    processId: z.string().nullable(),
    graceful: z.boolean().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Agent')

export const AgentList = z.object({ items: z.array(AgentView), next: z.string().optional() }).openapi('AgentList')

export const AgentIdParam = z.object({ id: agentId })

const paging = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
  sort: z.enum(AgentSort).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
}

export const ListAgentsQuery = z.object({
  status: z.enum(AgentStatus).optional(),
  pool: poolName.optional(),
  role: label.optional(),
  projectId: agentId.optional(),
  healthy: boolText.optional().openapi({ type: 'string', enum: ['true', 'false'] }),
  ...paging,
})

export const HealthyAgentsQuery = z.object({ pool: poolName.optional(), role: label.optional(), projectId: agentId.optional(), ...paging })
export const ProjectAgentsQuery = z.object({
  status: z.enum(AgentStatus).optional(),
  pool: poolName.optional(),
  role: label.optional(),
  ...paging,
})

export const BatchAccepted = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        version: z.number().int(),
        events: z.array(z.object({ type: z.string(), version: z.number().int(), eventId: z.string() })),
      }),
    ),
  })
  .openapi('BatchAccepted')

export const UpdateAgentBody = z
  .object({
    role: label.optional(),
    capabilities: z.array(z.string().min(1).max(100)).max(100).optional(),
    metadata: z
      .record(z.string(), z.json())
      .optional()
      .openapi({ type: 'object', example: { zone: 'eu-west' } }),
  })
  .strict()
  .refine((b) => b.role !== undefined || b.capabilities !== undefined || b.metadata !== undefined, {
    message: 'give role, capabilities or metadata',
  })
  .openapi('UpdateAgent')

export const AgentMetrics = z
  .object({
    agentId: z.string(),
    completed: z.number().int().openapi({ description: 'runs this agent completed' }),
    failed: z.number().int().openapi({ description: 'runs that failed (also timed out or aborted) or whose lease expired' }),
    running: z.number().int(),
    averageRunMs: z.number().nullable().openapi({ description: 'mean duration of its finished runs' }),
    currentTaskId: z.string().nullable().openapi({ description: 'the task it runs now, if any' }),
    lastFinishedAt: z.string().nullable(),
  })
  .openapi('AgentMetrics')
