import { sleep } from './wait.ts'

/** What a client learnt of one submission: acknowledged with a task id, refused for good, or never answered. */
export type SubmitOutcome =
  | Readonly<{ kind: 'acknowledged'; taskId: string; version: number; tries: number; ms: number }>
  | Readonly<{ kind: 'rejected'; status: number; code: string; tries: number; ms: number }>
  | Readonly<{ kind: 'unanswered'; last: string; tries: number; ms: number }>

const perTryTimeoutMs = 5_000

/**
 * Answers a client must retry with the same key: the service is unavailable or overloaded, or
 * the first request with this key is still in progress (or was cut off by a crash).
 */
const retriable = (status: number, code: string) =>
  status >= 500 || status === 429 || status === 408 || (status === 409 && code === 'idempotency.in-progress')

/**
 * POSTs `body` to `url` with an Idempotency-Key, the way a careful client does: an error or no
 * answer (a timeout, a refused connection, a 5xx, `idempotency.in-progress`) is retried with the
 * same key, pausing 100 ms doubling to 2 s (at least what a Retry-After asks for), until a 2xx, a definite refusal (another 4xx), or
 * `signal` says the run is over.
 */
export async function submitWithRetries(url: string, body: unknown, key: string, signal: AbortSignal): Promise<SubmitOutcome> {
  const began = Date.now()
  let pause = 100
  let last = 'not tried'
  /** what the server asked for (Retry-After), in ms */
  let asked = 0
  for (let tries = 1; ; tries++) {
    asked = 0
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(perTryTimeoutMs)]),
      })
      const text = await response.text()
      if (response.ok) {
        const { id, version } = JSON.parse(text) as { id: string; version: number }
        return { kind: 'acknowledged', taskId: id, version, tries, ms: Date.now() - began }
      }
      const code = (() => {
        try {
          return String((JSON.parse(text) as { code?: string }).code ?? '')
        } catch {
          return ''
        }
      })()
      last = `${response.status} ${code}`.trim()
      asked = Number(response.headers.get('retry-after') ?? 0) * 1_000
      if (!retriable(response.status, code)) return { kind: 'rejected', status: response.status, code, tries, ms: Date.now() - began }
    } catch (error) {
      last = (error as Error).cause ? String(((error as Error).cause as Error).message ?? (error as Error).cause) : (error as Error).message
    }
    if (signal.aborted) return { kind: 'unanswered', last, tries, ms: Date.now() - began }
    await sleep(Math.max(pause, asked) * (0.5 + Math.random()))
    pause = Math.min(2_000, pause * 2)
    if (signal.aborted) return { kind: 'unanswered', last, tries, ms: Date.now() - began }
  }
}
