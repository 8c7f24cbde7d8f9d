import type { Logger } from '../../infra/logger.ts'

export type TaskInput = Readonly<{ requestId: string; response: unknown }>

/** What a handler gets for one run of one task. */
export type HandlerContext = Readonly<{
  taskId: string
  pool: string
  /** the task's payload, parsed from JSON */
  payload: unknown
  attempt: number
  /** answers to the task's input requests so far, oldest first */
  inputs: readonly TaskInput[]
  /** the handler's configuration (pool settings' handlerConfig) */
  config: Readonly<Record<string, unknown>>
  /** fired on cancel, timeout, lost lease or shutdown; `signal.reason` says which */
  signal: AbortSignal
  progress: (percent: number, message?: string) => Promise<void>
  log: Logger
  /**
   * Parks the task until a human answers: the slot is freed and the task is dispatched again
   * with the answer in `inputs`. The returned promise never settles; return it from the handler.
   */
  requestInput: (question: string, options?: Readonly<{ choices?: readonly string[] }>) => Promise<never>
}>

/** A handler returns the task's result (JSON-serialisable) or throws (NonRetriableError: no retry). */
export type Handler = (ctx: HandlerContext) => Promise<unknown>

/** Why a run was aborted. */
export type AbortReason = 'cancelled' | 'timed-out' | 'lease-lost' | 'shutdown'

export const abortReasonOf = (signal: AbortSignal): AbortReason | undefined =>
  signal.aborted ? ((signal.reason as { reason?: AbortReason } | undefined)?.reason ?? 'shutdown') : undefined

export const abortError = (reason: AbortReason): Error & { reason: AbortReason } =>
  Object.assign(new Error(`task run aborted: ${reason}`), { reason })

/** Rejects when `signal` fires, for racing work that ignores the signal. */
export const whenAborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason)
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
