import pRetry from 'p-retry'

/** How a transient failure is tried again: exponential pauses with jitter, within attempts and/or time. */
export type RetryOptions = Readonly<{
  /** attempts in all, the first included (default: no limit) */
  attempts?: number
  /** the first pause; each later one doubles, with jitter (default 50 ms) */
  minMs?: number
  /** the longest pause (default 5 s) */
  maxMs?: number
  /** stop retrying once this long has passed since the first attempt (default: no limit) */
  withinMs?: number
  /** which failures are transient (default: all) */
  retryIf?: (error: unknown) => boolean
  /** told of each failure that will be retried, e.g. to log it */
  onRetry?: (error: unknown, attempt: number, pauseMs: number) => void
  signal?: AbortSignal
}>

/** Carries a TypeError through p-retry, which never retries one (some client libraries throw them transiently). */
class Carried extends Error {
  readonly original: unknown
  constructor(original: unknown) {
    super('carried')
    this.original = original
  }
}
const carry = (error: unknown): unknown => (error instanceof TypeError ? new Carried(error) : error)
const uncarry = (error: unknown): unknown => (error instanceof Carried ? error.original : error)

/** Runs `operation` until it succeeds, a failure is not transient, or the attempts or time run out; rethrows the last failure. */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const minMs = options.minMs ?? 50
  try {
    return await pRetry(
      async (attempt) => {
        try {
          return await operation(attempt)
        } catch (error) {
          throw carry(error)
        }
      },
      {
        retries: options.attempts === undefined ? Number.POSITIVE_INFINITY : Math.max(0, options.attempts - 1),
        // randomize multiplies by 1–2: halving keeps the first pause between minMs/2 and minMs.
        minTimeout: minMs / 2,
        maxTimeout: options.maxMs ?? 5_000,
        randomize: true,
        maxRetryTime: options.withinMs,
        signal: options.signal,
        shouldRetry: ({ error }) => options.retryIf?.(uncarry(error)) ?? true,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft, retryDelay }) => {
          if (retriesLeft > 0 && retryDelay > 0 && (options.retryIf?.(uncarry(error)) ?? true))
            options.onRetry?.(uncarry(error), attemptNumber, retryDelay)
        },
      },
    )
  } catch (error) {
    throw uncarry(error)
  }
}

class NotYet extends Error {}

export type PollOptions = Readonly<{
  /** give up after this long */
  timeoutMs: number
  /** the first pause (default 10 ms); pauses double up to maxMs */
  minMs?: number
  /** the longest pause (default 500 ms) */
  maxMs?: number
  signal?: AbortSignal
}>

/**
 * Asks `probe` until it answers something other than undefined, with growing pauses; undefined
 * once `timeoutMs` has passed. A probe that throws ends the wait with its error.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T | undefined> {
  try {
    return await retry(
      async () => {
        const answer = await probe()
        if (answer === undefined) throw new NotYet()
        return answer
      },
      {
        minMs: options.minMs ?? 10,
        maxMs: options.maxMs ?? 500,
        withinMs: options.timeoutMs,
        retryIf: (error) => error instanceof NotYet,
        signal: options.signal,
      },
    )
  } catch (error) {
    if (error instanceof NotYet) return undefined
    throw error
  }
}
