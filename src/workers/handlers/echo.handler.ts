import { setTimeout as sleep } from 'node:timers/promises'
import { NonRetriableError } from '../../errors.ts'
import type { Handler } from './handler.ts'

type EchoPayload = { delayMs?: number; fail?: boolean | 'permanent'; askInput?: string }

/**
 * Returns the payload. Test knobs in the payload: `delayMs` waits first (honouring the abort
 * signal), `fail` throws (retryable, or not with 'permanent'), `askInput` asks a question once.
 */
export const echoHandler: Handler = async (ctx) => {
  const p = (ctx.payload ?? {}) as EchoPayload
  if (typeof p.askInput === 'string' && ctx.inputs.length === 0) return ctx.requestInput(p.askInput)
  if (typeof p.delayMs === 'number' && p.delayMs > 0) await sleep(p.delayMs, undefined, { signal: ctx.signal })
  if (p.fail === 'permanent') throw new NonRetriableError('echo was asked to fail permanently')
  if (p.fail) throw new Error('echo was asked to fail')
  return ctx.inputs.length > 0 ? { payload: ctx.payload, inputs: ctx.inputs } : ctx.payload
}
