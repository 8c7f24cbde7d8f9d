import { submitWithRetries, type SubmitOutcome } from './submit.ts'

/** load: the steady stream; probe: a task a recovery measurement waits for; lease-probe: a task claimed over HTTP and abandoned (it ends dead-lettered) */
export type SubmissionKind = 'load' | 'probe' | 'lease-probe'

/** One task a client set out to create, and what it learnt. */
export type Submission = {
  sid: string
  kind: SubmissionKind
  key: string
  submittedAt: number
  outcome?: SubmitOutcome
}

const priorities = ['HIGH', 'NORMAL', 'NORMAL', 'NORMAL', 'NORMAL', 'NORMAL', 'NORMAL', 'NORMAL', 'NORMAL', 'LOW'] as const

/**
 * Every submission of the run (load and probes) and its outcome. Each has a submission id (`sid`)
 * carried in the task's payload and metadata, and its own Idempotency-Key; the client retries it
 * until answered or until `giveUp()`.
 */
export function createLedger(deps: { url: string; runId: string; pool: string }) {
  const all: Submission[] = []
  const pending = new Set<Promise<SubmitOutcome>>()
  const end = new AbortController()

  const submit = (
    sid: string,
    kind: SubmissionKind,
    task: Readonly<{ pool?: string; maxAttempts?: number; priority?: (typeof priorities)[number] | 'CRITICAL' }> = {},
  ): Promise<SubmitOutcome> => {
    const entry: Submission = { sid, kind, key: `${deps.runId}-${sid}`, submittedAt: Date.now() }
    all.push(entry)
    const body = {
      title: `chaos ${sid}`,
      pool: task.pool ?? deps.pool,
      ...(task.maxAttempts === undefined ? {} : { maxAttempts: task.maxAttempts }),
      priority: task.priority ?? priorities[all.length % priorities.length],
      payload: { sid, run: deps.runId },
      metadata: { sid, chaos: deps.runId, kind },
    }
    const outcome = submitWithRetries(`${deps.url}/api/v1/tasks`, body, entry.key, end.signal).then((o) => {
      entry.outcome = o
      return o
    })
    pending.add(outcome)
    void outcome.finally(() => pending.delete(outcome))
    return outcome
  }

  return {
    submit,
    entries: (): readonly Submission[] => all,
    count: (kind?: SubmissionKind) => all.filter((s) => kind === undefined || s.kind === kind).length,
    acknowledged: (kind?: SubmissionKind) =>
      all.filter((s) => s.outcome?.kind === 'acknowledged' && (kind === undefined || s.kind === kind)).length,
    pending: () => pending.size,
    /** Waits for every open submission to be answered, at most `timeoutMs`; then the clients give up. */
    async settle(timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs
      while (pending.size > 0 && Date.now() < deadline)
        await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))])
      end.abort()
      await Promise.allSettled([...pending])
    },
    giveUp: () => end.abort(),
  }
}

export type Ledger = ReturnType<typeof createLedger>

/** Submits load at a steady rate (one every 1000/rate ms) until stopped. */
export function startLoad(ledger: Ledger, rate: number) {
  let n = 0
  const timer = setInterval(() => void ledger.submit(`s${String(++n).padStart(6, '0')}`, 'load'), 1000 / rate)
  return { stop: () => clearInterval(timer) }
}
