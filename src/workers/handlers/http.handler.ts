import { NonRetriableError } from '../../errors.ts'
import type { Handler } from './handler.ts'

/**
 * POSTs the task to `handlerConfig.url` (optional `headers`); the JSON response is the result.
 * 4xx means the webhook rejects this task (no retry); 5xx and network errors are retried.
 */
export const httpHandler: Handler = async (ctx) => {
  const url = ctx.config.url
  if (typeof url !== 'string') throw new NonRetriableError('the http handler needs handlerConfig.url')
  const headers = { 'content-type': 'application/json', ...((ctx.config.headers as Record<string, string> | undefined) ?? {}) }
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ taskId: ctx.taskId, pool: ctx.pool, attempt: ctx.attempt, payload: ctx.payload, inputs: ctx.inputs }),
    signal: ctx.signal,
  })
  const text = await res.text()
  if (res.status >= 400 && res.status < 500)
    throw new NonRetriableError(`webhook answered ${res.status}: ${text.slice(0, 500)}`, { code: 'handler.http-rejected' })
  if (!res.ok) throw new Error(`webhook answered ${res.status}: ${text.slice(0, 500)}`)
  try {
    return text ? JSON.parse(text) : null
  } catch {
    return { body: text }
  }
}
