import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CommandHandler } from '../src/commands/handle-command.ts'
import { retryDelayFor, retryDelayMs } from '../src/commands/task/retry-policy.ts'
import type { FailTask, TaskCommand } from '../src/commands/task/task.commands.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { ExistingTask, TaskState } from '../src/commands/task/task.state.ts'
import type { TaskEvent } from '../src/events/generated/event-types.ts'
import { withRetryDelay } from '../src/queue/backoff-decider.ts'
import type { TaskLeases } from '../src/leases/task-leases.ts'
import { createTaskRunner } from '../src/workers/task-runner.ts'
import { meta, specFor } from './support/decider-spec.ts'

const policy = { baseMs: 100, maxMs: 10_000 }
const spec = specFor(taskDecider)

const created: TaskEvent = {
  type: 'TaskCreated',
  data: {
    title: 'T',
    description: null,
    pool: 'p',
    role: null,
    priority: 'HIGH',
    payload: '{}',
    maxAttempts: 3,
    timeoutMs: 0,
    projectId: null,
    workflowId: null,
    dependsOn: [],
    metadata: '{}',
  },
}
const queued = (attempt: number, reason: string): TaskEvent => ({
  type: 'TaskQueued',
  data: { attempt, reason, pool: 'p', priority: 'HIGH' },
})
const started = (attempt: number): TaskEvent => ({ type: 'TaskStarted', data: { agentId: 'w1', attempt, leaseEpoch: attempt } })
const failed = (attempt: number, retryable = true): TaskEvent => ({
  type: 'TaskFailed',
  data: { agentId: 'w1', attempt, error: 'boom', retryable },
})
const retry = (attempt: number): TaskEvent => ({ type: 'TaskRetryScheduled', data: { attempt, retryAt: 0, delayMs: 0 } })

/** Three attempts spent, the last one not retryable, then RetryTask: attempt 4 opens a fresh budget. */
const beforeManualRetry = [
  created,
  queued(1, 'created'),
  started(1),
  failed(1),
  retry(2),
  queued(2, 'retry'),
  started(2),
  failed(2),
  retry(3),
  queued(3, 'retry'),
  started(3),
  failed(3, false),
]
const manuallyRetried = [...beforeManualRetry, queued(4, 'manual-retry')]
/** The first attempt of the new budget failed and was retried: attempt 5 is the second of the budget. */
const secondOfNewBudget = [...manuallyRetried, started(4), failed(4), retry(5), queued(5, 'retry')]

/**
 * The worker path, for real: createTaskRunner over an in-memory write side holding `history`, with
 * a handler that throws. Returns the FailTask the runner sent.
 */
async function workerFailure(history: readonly TaskEvent[]): Promise<{ command: FailTask; runningState: ExistingTask }> {
  let state: TaskState = spec.given(history).state
  let version = history.length
  let runningState: ExistingTask | undefined
  const sent: TaskCommand[] = []
  const execute = (async (_aggregate: string, aggregateId: string, _decider: unknown, command: TaskCommand) => {
    sent.push(command)
    const events = taskDecider.decide(command, state)
    for (const e of events) state = taskDecider.evolve(state, e, meta(++version, { aggregateId }))
    if (command.type === 'StartTask') runningState = state as ExistingTask
    return {
      aggregateId,
      state,
      version,
      events: events.map((e, i) => ({ type: e.type, version: version - events.length + i + 1, eventId: `e${i}` })),
      positions: [],
    }
  }) as unknown as CommandHandler
  const leases = { grant: async () => true, extend: async () => true, release: async () => true } as unknown as TaskLeases
  const run = createTaskRunner({
    execute,
    leases,
    handler: async () => {
      throw new Error('handler broke')
    },
    handlerConfig: {},
    agentId: 'w1',
    leaseMs: 60_000,
    retryPolicy: policy,
    logger: pino({ level: 'silent' }),
    clock: () => 1_000,
  })
  const queuedVersion = (state as ExistingTask).queuedVersion
  expect(
    await run(
      {
        taskId: 't1',
        pool: 'p',
        priority: 'HIGH',
        attempt: (state as ExistingTask).attempt,
        dispatchVersion: queuedVersion,
        queuedAt: 0,
        correlationId: 'c',
      },
      new AbortController().signal,
    ),
  ).toBe('failed')
  const command = sent.find((c): c is FailTask => c.type === 'FailTask')
  expect(command, 'the runner sent FailTask').toBeDefined()
  return { command: command!, runningState: runningState! }
}

/** The HTTP path (queue routes, lease reaper): the backoff decider's delay for the same state and random number. */
const httpDelay = (state: TaskState, random: number): number => {
  const c = withRetryDelay(policy, { type: 'FailTask', agentId: 'w1', leaseEpoch: 0, error: 'x', retryable: true, now: 0, random }, state)
  return (c as FailTask).retryDelayMs
}

describe('one backoff for every retry path', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('counts from the retry budget: a manual retry starts again at the base delay', () => {
    const state = spec.given([...manuallyRetried, started(4)]).state
    expect(retryDelayFor(policy, state, 1)).toBe(100)
    expect(retryDelayFor(policy, spec.given([...secondOfNewBudget, started(5)]).state, 1)).toBe(200)
    // the absolute attempt would have grown the ceiling to 800 and 1 600
    expect(retryDelayMs(policy, 4, 1)).toBe(800)
  })

  it('a worker and an HTTP-pulled agent wait the same after the first failure of a manual retry', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.75)
    const { command, runningState } = await workerFailure(manuallyRetried)
    expect(runningState).toMatchObject({ status: 'running', attempt: 4, budgetStart: 4 })
    expect(command.retryDelayMs).toBe(httpDelay(runningState, 0.75))
    expect(command.retryDelayMs).toBe(100)
  })

  it('… and after the second failure of the new budget, where the jitter counts', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.75)
    const { command, runningState } = await workerFailure(secondOfNewBudget)
    expect(runningState).toMatchObject({ status: 'running', attempt: 5, budgetStart: 4 })
    expect(command.retryDelayMs).toBe(httpDelay(runningState, 0.75))
    expect(command.retryDelayMs).toBe(175) // 100 + (200 − 100) · 0.75; the absolute attempt 5 gave 1 225
  })

  it('the same holds after a requeue from the dead letters', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const dead: TaskEvent = { type: 'TaskDeadLettered', data: { attempts: 3, lastError: 'boom', pool: 'p', priority: 'HIGH' } }
    const requeued = [
      ...beforeManualRetry.slice(0, -1),
      failed(3),
      dead,
      queued(4, 'requeued'),
      started(4),
      failed(4),
      retry(5),
      queued(5, 'retry'),
    ]
    const { command, runningState } = await workerFailure(requeued)
    expect(command.retryDelayMs).toBe(httpDelay(runningState, 0.5))
    expect(command.retryDelayMs).toBe(150)
  })
})
