import { abortError, type AbortReason } from './handlers/handler.ts'

export type RunAbortDeps = Readonly<{
  /** fired by the worker: cancel (reason 'cancelled') or shutdown */
  stop: AbortSignal
  /** the task's timeout; 0 for none */
  timeoutMs: number
  /** the run lease's length: it is extended every third of it */
  leaseMs: number
  /** extends the run lease; false when the lease is no longer ours */
  extendLease: () => Promise<boolean>
}>

/**
 * The abort signal of one handler run, fired by the first of: `stop`, the task's timeout, or a
 * lease extension that found the lease gone. It also keeps the lease extended while the run lasts.
 * `end()` stops the timers and aborts the signal (as 'shutdown') if nothing fired it.
 */
export function createRunAbort(deps: RunAbortDeps) {
  const abort = new AbortController()
  const fire = (reason: AbortReason) => {
    if (!abort.signal.aborted) abort.abort(abortError(reason))
  }
  const onStop = () => fire((deps.stop.reason as { reason?: AbortReason } | undefined)?.reason ?? 'shutdown')
  deps.stop.addEventListener('abort', onStop, { once: true })
  if (deps.stop.aborted) onStop()
  const timeout = deps.timeoutMs > 0 ? setTimeout(() => fire('timed-out'), deps.timeoutMs) : undefined
  const heartbeat = setInterval(
    () => {
      // A failed call (Redis away) is tried again on the next beat; only a lease no longer ours aborts.
      void deps.extendLease().then(
        (held) => {
          if (!held) fire('lease-lost')
        },
        () => undefined,
      )
    },
    Math.max(100, Math.floor(deps.leaseMs / 3)),
  )
  return {
    signal: abort.signal,
    end(): void {
      clearTimeout(timeout)
      clearInterval(heartbeat)
      deps.stop.removeEventListener('abort', onStop)
      fire('shutdown')
    },
  }
}

export type RunAbort = ReturnType<typeof createRunAbort>
