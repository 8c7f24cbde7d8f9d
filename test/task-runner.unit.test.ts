import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Decider } from '../src/commands/decider.ts'
import type { CommandHandler } from '../src/commands/handle-command.ts'
import type { TaskCommand } from '../src/commands/task/task.commands.ts'
import { ConcurrencyError, DomainError, NonRetriableError, NotFoundError } from '../src/errors.ts'
import type { TaskEvent } from '../src/events/generated/event-types.ts'
import type { TaskLeases } from '../src/leases/task-leases.ts'
import { abortError, type Handler } from '../src/workers/handlers/handler.ts'
import { createTaskRunner } from '../src/workers/task-runner.ts'
import { meta } from './support/decider-spec.ts'

type Sent = { aggregate: string; command: { type: string } & Record<string, unknown> }
/** Throws the error it returns for the nth (1-based) call of a command type, or lets the decider answer. */
type Faults = Partial<Record<TaskCommand['type'], (n: number) => unknown>>

const created = (timeoutMs = 0, payload = '{"n":7}'): TaskEvent => ({
  type: 'TaskCreated',
  data: {
    title: 'T',
    description: null,
    pool: 'p',
    role: null,
    priority: 'HIGH',
    payload,
    maxAttempts: 3,
    timeoutMs,
    projectId: null,
    workflowId: null,
    dependsOn: [],
    metadata: '{}',
  },
})
const queued: TaskEvent = { type: 'TaskQueued', data: { attempt: 1, reason: 'created', pool: 'p', priority: 'HIGH' } }

/** An in-memory write side over the real deciders, and a runner for one queued task on it. */
function setup(options: {
  handler: Handler
  faults?: Faults
  timeoutMs?: number
  leaseHeld?: boolean
  leaseMs?: number
  payload?: string
}) {
  const sent: Sent[] = []
  const calls = new Map<string, number>()
  const states = new Map<string, { state: unknown; version: number }>()
  const leases: string[] = []
  const history = [created(options.timeoutMs, options.payload), queued]
  const decider = (d: unknown) => d as Decider<unknown, unknown, unknown>
  const execute = (async (aggregate: string, aggregateId: string, d: unknown, command: TaskCommand) => {
    sent.push({ aggregate, command: command as Sent['command'] })
    const n = (calls.get(command.type) ?? 0) + 1
    calls.set(command.type, n)
    const fault = options.faults?.[command.type]?.(n)
    if (fault) throw fault
    const key = `${aggregate}:${aggregateId}`
    const initial = decider(d).initialState()
    const at = states.get(key) ?? {
      state: aggregate === 'task' ? history.reduce((s, e, i) => decider(d).evolve(s, e, meta(i + 1)), initial) : initial,
      version: aggregate === 'task' ? history.length : 0,
    }
    const events = decider(d).decide(command, at.state)
    let { state, version } = at
    for (const e of events) state = decider(d).evolve(state, e, meta(++version, { aggregateId }))
    states.set(key, { state, version })
    return { aggregateId, state, version, events: events.map((_, i) => ({ version: version - i, eventId: `e${i}` })), positions: [] }
  }) as unknown as CommandHandler
  const taskLeases = {
    grant: async (l: { taskId: string; epoch: number }) => void leases.push(`grant ${l.taskId}@${l.epoch}`),
    extend: async () => options.leaseHeld ?? true,
    release: async (taskId: string, epoch: number) => void leases.push(`release ${taskId}@${epoch}`),
  } as unknown as TaskLeases
  const run = createTaskRunner({
    execute,
    leases: taskLeases,
    handler: options.handler,
    handlerConfig: {},
    agentId: 'w1',
    leaseMs: options.leaseMs ?? 60_000,
    retryPolicy: { baseMs: 100, maxMs: 1_000 },
    logger: pino({ level: 'silent' }),
    clock: () => 1_000,
  })
  const record = { taskId: 't1', pool: 'p', priority: 'HIGH' as const, attempt: 1, dispatchVersion: 2, queuedAt: 0, correlationId: 'c' }
  const stop = new AbortController()
  return {
    run: () => run(record, stop.signal),
    stop,
    types: () => sent.filter((s) => s.aggregate === 'task').map((s) => s.command.type),
    command: (type: string) => sent.find((s) => s.command.type === type)?.command,
    leases,
  }
}

/** A handler that waits until its run is aborted. */
const waitsForAbort: Handler = (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)))

describe('task runner', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('starts the task, runs the handler under the lease of its epoch, completes it and releases the lease', async () => {
    const t = setup({
      handler: async (ctx) => {
        await ctx.progress(33.4, 'a third')
        return { got: ctx.payload, attempt: ctx.attempt }
      },
    })
    expect(await t.run()).toBe('completed')
    expect(t.types()).toEqual(['StartTask', 'ReportTaskProgress', 'CompleteTask'])
    expect(t.command('ReportTaskProgress')).toMatchObject({ percent: 33, message: 'a third', leaseEpoch: 1 })
    expect(t.command('CompleteTask')).toMatchObject({ agentId: 'w1', leaseEpoch: 1, result: { got: { n: 7 }, attempt: 1 } })
    expect(t.leases).toEqual(['grant t1@1', 'release t1@1'])
  })

  it('retries StartTask while this process does not see the task yet, then runs it', async () => {
    const t = setup({ handler: async () => 'ok', faults: { StartTask: (n) => (n <= 2 ? new NotFoundError('task', 't1') : undefined) } })
    expect(await t.run()).toBe('completed')
    expect(t.types()).toEqual(['StartTask', 'StartTask', 'StartTask', 'CompleteTask'])
  })

  it('skips the record after 6 attempts in all when the task stays unseen', async () => {
    vi.useFakeTimers()
    const t = setup({ handler: async () => 'ok', faults: { StartTask: () => new NotFoundError('task', 't1') } })
    const outcome = t.run()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(await outcome).toBe('skipped')
    expect(t.types()).toEqual(Array(6).fill('StartTask'))
    expect(t.leases).toEqual([])
  })

  it('skips at once when StartTask is refused because another worker runs the task', async () => {
    const t = setup({ handler: async () => 'ok', faults: { StartTask: () => new DomainError('task.already-running', 'running') } })
    expect(await t.run()).toBe('skipped')
    expect(t.types()).toEqual(['StartTask'])
  })

  it('throws a StartTask failure that is no refusal, after the retries a retriable one gets', async () => {
    vi.useFakeTimers()
    const t = setup({ handler: async () => 'ok', faults: { StartTask: () => new ConcurrencyError('stream.busy', 'busy') } })
    const outcome = t.run().catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(await outcome).toBeInstanceOf(ConcurrencyError)
    expect(t.types()).toHaveLength(6)
  })

  it('does not retry "not found" for commands other than StartTask: a refused result ends the run as aborted', async () => {
    const t = setup({ handler: async () => 'ok', faults: { CompleteTask: () => new NotFoundError('task', 't1') } })
    expect(await t.run()).toBe('aborted')
    expect(t.types()).toEqual(['StartTask', 'CompleteTask'])
    expect(t.leases).toEqual(['grant t1@1', 'release t1@1'])
  })

  it('records a failure when CompleteTask keeps failing transiently through its 6 attempts', async () => {
    vi.useFakeTimers()
    const t = setup({ handler: async () => 'ok', faults: { CompleteTask: () => new ConcurrencyError('stream.busy', 'store busy') } })
    const outcome = t.run()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(await outcome).toBe('failed')
    expect(t.types()).toEqual(['StartTask', ...Array(6).fill('CompleteTask'), 'FailTask'])
    expect(t.command('FailTask')).toMatchObject({ error: 'store busy', retryable: true, leaseEpoch: 1 })
  })

  it('fails a handler error with the retry backoff, and a NonRetriableError without retry', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const broke = setup({
      handler: async () => {
        throw new Error('handler broke')
      },
    })
    expect(await broke.run()).toBe('failed')
    expect(broke.command('FailTask')).toMatchObject({ error: 'handler broke', retryable: true, retryDelayMs: 100 })
    const fatal = setup({
      handler: async () => {
        throw new NonRetriableError('bad input')
      },
    })
    expect(await fatal.run()).toBe('failed')
    expect(fatal.command('FailTask')).toMatchObject({ error: 'bad input', retryable: false })
    vi.restoreAllMocks()
  })

  it('fails an attempt whose payload does not parse, and still releases the lease', async () => {
    const t = setup({ handler: async () => 'never runs', payload: '{not json' })
    expect(await t.run()).toBe('failed')
    expect(t.types()).toEqual(['StartTask', 'FailTask'])
    expect(t.leases).toEqual(['grant t1@1', 'release t1@1'])
  })

  it('ends a cancelled run as aborted, without FailTask, and releases the lease', async () => {
    const t = setup({ handler: waitsForAbort })
    const outcome = t.run()
    await vi.waitFor(() => expect(t.leases).toContain('grant t1@1'))
    t.stop.abort(abortError('cancelled'))
    expect(await outcome).toBe('aborted')
    expect(t.types()).toEqual(['StartTask'])
    expect(t.leases).toEqual(['grant t1@1', 'release t1@1'])
  })

  it('records a retryable failure when the worker shuts down mid-run', async () => {
    const t = setup({ handler: waitsForAbort })
    const outcome = t.run()
    await vi.waitFor(() => expect(t.leases).toContain('grant t1@1'))
    t.stop.abort(abortError('shutdown'))
    expect(await outcome).toBe('failed')
    expect(t.command('FailTask')).toMatchObject({ error: 'the worker shut down before the task finished', retryable: true })
  })

  it("aborts the handler after the task's timeout and records a retryable failure", async () => {
    const t = setup({ handler: waitsForAbort, timeoutMs: 30 })
    expect(await t.run()).toBe('failed')
    expect(t.command('FailTask')).toMatchObject({ error: 'timed out after 30 ms', retryable: true })
  })

  it('aborts the run when a lease extension finds the lease gone', async () => {
    const t = setup({ handler: waitsForAbort, leaseHeld: false, leaseMs: 300 })
    expect(await t.run()).toBe('aborted')
    expect(t.types()).toEqual(['StartTask'])
  })

  it('parks the task when the handler asks for input', async () => {
    const t = setup({ handler: (ctx) => ctx.requestInput('approve?', { choices: ['yes', 'no'] }) })
    expect(await t.run()).toBe('parked')
    expect(t.types()).toEqual(['StartTask', 'RequestTaskInput'])
    expect(t.command('RaiseHitlRequest')).toMatchObject({ question: 'approve?', options: ['yes', 'no'], context: { n: 7 } })
    expect(t.leases).toEqual(['grant t1@1', 'release t1@1'])
  })
})
