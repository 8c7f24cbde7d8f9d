import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { AppError } from '../errors.ts'

/** The one mapping from error codes to HTTP statuses; a code not listed here is a 500. */
const statusByCode: Readonly<Record<string, ContentfulStatusCode>> = {
  'request.invalid': 400,
  'request.too-large': 413,
  'request.unsupported-media-type': 415,
  'route.not-found': 404,
  'task.not-found': 404,
  'task.already-exists': 409,
  'task.duplicate-dependency': 400,
  'task.invalid-progress': 400,
  'task.finished': 409,
  'task.not-cancellable': 409,
  'task.unknown-dependency': 400,
  'task.pool-required': 400,
  'task.dependency-cycle': 409,
  'task.already-started': 409,
  'task.assigned-elsewhere': 409,
  'task.not-claimable': 409,
  'task.already-running': 409,
  'task.not-startable': 409,
  'task.stale-dispatch': 409,
  'task.stale-lease': 409,
  'task.not-running': 409,
  'task.not-awaiting-input': 409,
  'task.not-retryable': 409,
  'task.dependencies-open': 409,
  'task.not-dead-lettered': 409,
  'agent.not-found': 404,
  'task.assignee-outside-pool': 409,
  'agent.already-registered': 409,
  'agent.deregistered': 409,
  'agent.terminated': 409,
  'agent.not-spawned': 409,
  'agent.invalid-transition': 409,
  'pool.not-found': 404,
  'pool.already-exists': 409,
  'pool.invalid-config': 400,
  'pool.invalid-scaling': 400,
  'pool.has-active-tasks': 409,
  'pool.draining': 409,
  'pool.deleted': 409,
  'pool.not-pull': 409,
  'queue-pool.not-found': 404,
  'dead-letter.not-found': 404,
  'queue.wait-too-long': 400,
  'hitl.already-exists': 409,
  'hitl.invalid-question': 400,
  'hitl.invalid-options': 400,
  'hitl.invalid-expiry': 400,
  'hitl.invalid-response': 400,
  'hitl.already-answered': 409,
  'hitl.expired': 409,
  'hitl.cancelled': 409,
  'project.not-found': 404,
  'project.already-exists': 409,
  'project.invalid-name': 400,
  'project.archived': 409,
  'workflow.already-exists': 409,
  'workflow.invalid-dag': 400,
  'workflow.finished': 409,
  'workflow.unknown-step': 409,
  'idempotency.key-reused': 422,
  'idempotency.in-progress': 409,
  'aggregate.busy': 503,
  'aggregate.lease-lost': 503,
  'snapshots.behind': 503,
  'read-model.behind': 503,
  'append.outcome-unknown': 503,
  'service.unavailable': 503,
}

const titleByStatus: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export const problemType = (code: string): string => `https://agentfleet.dev/problems/${code}`

export type Problem = Readonly<{
  type: string
  title: string
  status: number
  detail: string
  instance: string
  code: string
  requestId?: string
  [k: string]: unknown
}>

export function statusOf(error: unknown): ContentfulStatusCode {
  if (error instanceof AppError) {
    const mapped = statusByCode[error.code]
    if (mapped) return mapped
    if (error.code.endsWith('.not-found')) return 404
    if (error.retriable) return 503
  }
  return 500
}

export function problemResponse(c: Context, error: unknown): Response {
  const status = statusOf(error)
  const known = error instanceof AppError
  const code = known ? error.code : 'internal'
  // Details first: no detail may overwrite a member of the problem itself (its HTTP status above all).
  const body: Problem = {
    ...(known && error.details ? error.details : {}),
    type: problemType(code),
    title: titleByStatus[status] ?? 'Error',
    status,
    detail: known || status < 500 ? (error as Error).message : 'an unexpected error occurred; it has been logged',
    instance: c.req.path,
    code,
    requestId: c.get('requestId' as never) as string | undefined,
  }
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' }
  if (status === 503) headers['retry-after'] = '1'
  return c.body(JSON.stringify(body), status, headers)
}
