import { z } from '@hono/zod-openapi'

export const ProblemDetails = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    code: z.string().openapi({ description: 'stable error code, e.g. task.not-cancellable' }),
    requestId: z.string().optional(),
  })
  .passthrough()
  .openapi('ProblemDetails')

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemDetails } } })

export const problemResponses = {
  400: problem('The request is malformed'),
  404: problem('No such resource'),
  503: problem('A dependency is unavailable or the read model is behind; retry'),
} as const

export const commandResponses = {
  ...problemResponses,
  409: problem("The command is not allowed in the aggregate's current state"),
  422: problem('The Idempotency-Key was used with a different request'),
} as const
