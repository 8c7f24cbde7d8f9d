import { z } from '@hono/zod-openapi'

const counts = z.record(z.string(), z.number().int())

export const SystemStatusView = z
  .object({
    generatedAt: z.string(),
    tasks: z.object({ total: z.number().int(), byStatus: counts }),
    agents: z
      .object({ total: z.number().int(), byStatus: counts.nullable() })
      .nullable()
      .openapi({ description: 'null while no agents read model exists' }),
    pools: z.object({ count: z.number().int() }).nullable(),
    hitl: z.object({ pending: z.number().int() }).nullable(),
    conflicts: z.object({
      count: z.number().int(),
      latest: z.array(
        z.object({
          id: z.number().int(),
          group: z.string().openapi({ description: 'the projector group that skipped the event' }),
          stream: z.string(),
          kind: z.string(),
          eventId: z.string(),
          eventType: z.string(),
          version: z.number().int(),
          expectedVersion: z.number().int(),
          topic: z.string(),
          partition: z.number().int(),
          offset: z.number().int(),
          detectedAt: z.string(),
        }),
      ),
    }),
    projections: z.array(
      z.object({
        name: z.string(),
        group: z.string().openapi({ description: 'the projector group running it; its checkpoints are the positions' }),
        lastUpdatedAt: z.string().nullable(),
        partitions: z.array(
          z.object({ topic: z.string(), partition: z.number().int(), nextOffset: z.number().int(), updatedAt: z.string() }),
        ),
      }),
    ),
  })
  .openapi('SystemStatus')

export const MetricsHistoryQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'inclusive, ISO 8601' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'inclusive, ISO 8601' }),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
})

export const MetricsHistory = z
  .object({
    items: z
      .array(z.object({ takenAt: z.string(), data: z.unknown() }))
      .openapi({ description: 'the latest `limit` snapshots in range, oldest first' }),
  })
  .openapi('MetricsHistory')
