import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandHandler } from '../src/commands/handle-command.ts'
import { deadLetterTopic, dispatchTopic } from '../src/dispatch/dispatch-topics.ts'
import { createDispatchChannel } from '../src/dispatch/dispatch-channel.ts'
import { startHarness, waitFor, type Harness } from './support/harness.ts'
import { readEvents } from './support/read-events.ts'
import { collectTaskEvents, createTask, runRecovery, spawnWorkers, stopProcess } from './support/workers.ts'

describe('a worker group runs dispatched tasks (real forked processes)', () => {
  let h: Harness
  let execute: CommandHandler
  let collected: Awaited<ReturnType<typeof collectTaskEvents>>
  let recovery: ReturnType<typeof runRecovery>
  const fast = {
    AGENTFLEET_DISPATCH_PARTITIONS: '2',
    AGENTFLEET_WORKER_LEASE_MS: '1500',
    AGENTFLEET_RETRY_BASE_MS: '20',
    AGENTFLEET_RETRY_MAX_MS: '50',
    AGENTFLEET_WORKER_SHUTDOWN_MS: '3000',
  }

  let workers: ReturnType<typeof spawnWorkers>
  beforeAll(async () => {
    h = await startHarness({ api: false, projector: false, env: fast })
    const file = join(tmpdir(), `af-pools-${h.id}.json`)
    const common = { minWorkers: 1, maxWorkers: 1, scaleIntervalMs: 500 }
    writeFileSync(
      file,
      JSON.stringify({
        pools: {
          echo: { ...common, maxAgentsPerProcess: 4 },
          hitl: { ...common, maxAgentsPerProcess: 2 },
          slow: { ...common, maxAgentsPerProcess: 2 },
          cmd: { ...common, maxAgentsPerProcess: 1, handler: 'command', handlerConfig: { command: 'sleep', args: ['30'], cwd: '/tmp' } },
        },
      }),
    )
    execute = (await h.writeSide()).execute
    ;[collected, workers] = await Promise.all([collectTaskEvents(h), spawnWorkers(h, ['--all', '--config', file])])
    recovery = runRecovery(h, execute, collected)
  })
  afterAll(async () => {
    if (workers) expect(await stopProcess(workers)).toBe(0)
    await recovery?.stop()
    await collected?.stop()
    await h?.stop()
  })

  it('dispatches an Avro record per TaskQueued and completes each echo task exactly once', async () => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createTask(execute, { pool: 'echo', payload: { n: i } }).then((r) => r.aggregateId)),
    )
    await waitFor(async () => ids.every((id) => collected.of('TaskCompleted', id).length > 0), 'all echo tasks completed', 30_000)
    for (const id of ids) expect(collected.of('TaskCompleted', id)).toHaveLength(1)
    const done = collected.of('TaskCompleted', ids[3])[0]!.data as { result: string }
    expect(JSON.parse(done.result)).toEqual({ n: 3 })

    // The dispatch record itself: Avro in Confluent framing, decodable through the registry.
    const channel = createDispatchChannel({
      admin: h.services.admin,
      registry: h.services.registry,
      registryUrl: h.config.registryUrl,
      schemas: h.services.schemas,
      prefix: h.config.kafka.topicPrefix,
      partitions: 2,
    })
    const offsets = await h.services.admin.fetchTopicOffsets(dispatchTopic(h.config.kafka.topicPrefix, 'echo', 'NORMAL'))
    expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(20)
    const records = await readAll(h, dispatchTopic(h.config.kafka.topicPrefix, 'echo', 'NORMAL'), 20)
    const first = await channel.dispatch.decode(records[0]!)
    expect(first).toMatchObject({ pool: 'echo', priority: 'NORMAL', attempt: 1, dispatchVersion: 2 })
    expect(ids).toContain(first.taskId)
  })

  it('parks a task that asks for input and resumes it with the answer', async () => {
    const id = (await createTask(execute, { pool: 'hitl', projectId: 'hitl-project', payload: { askInput: 'approve?' } })).aggregateId
    const asked = await waitFor(async () => collected.of('TaskInputRequested', id)[0], 'the input request', 20_000)
    const requestId = (asked.data as { requestId: string }).requestId
    // The request raised by the handler belongs to the task's project.
    const raised = (await readEvents(h, 'hitl')).find((e) => e.meta.aggregateId === requestId && e.type === 'HitlRequested')
    expect(raised?.data).toMatchObject({ projectId: 'hitl-project' })
    expect(collected.of('TaskCompleted', id)).toHaveLength(0)
    const { taskDecider } = await import('../src/commands/task/task.decider.ts')
    await execute(
      'task',
      id,
      taskDecider,
      { type: 'ProvideTaskInput', requestId, response: 'yes' },
      { commandId: `answer-${id}`, correlationId: id, causationId: null, actor: 'reviewer' },
    )
    const done = await waitFor(async () => collected.of('TaskCompleted', id)[0], 'the resumed task to complete', 20_000)
    expect(JSON.parse((done.data as { result: string }).result)).toEqual({
      payload: { askInput: 'approve?' },
      inputs: [{ requestId, response: 'yes' }],
    })
    expect(collected.of('TaskStarted', id)).toHaveLength(2)
  })

  it('retries a task that times out and dead-letters it after maxAttempts, with a record on the .dlq topic', async () => {
    const id = (await createTask(execute, { pool: 'slow', payload: { delayMs: 10_000 }, timeoutMs: 300, maxAttempts: 2 })).aggregateId
    await waitFor(async () => collected.of('TaskDeadLettered', id)[0], 'the dead letter', 30_000)
    const failures = collected.of('TaskFailed', id).map((e) => e.data as { error: string; retryable: boolean })
    expect(failures).toHaveLength(2)
    expect(failures.every((f) => f.retryable && /timed out/.test(f.error))).toBe(true)
    const channel = createDispatchChannel({
      admin: h.services.admin,
      registry: h.services.registry,
      registryUrl: h.config.registryUrl,
      schemas: h.services.schemas,
      prefix: h.config.kafka.topicPrefix,
      partitions: 2,
    })
    const [dlq] = await waitFor(
      async () => {
        const r = await readAll(h, deadLetterTopic(h.config.kafka.topicPrefix, 'slow'), 1)
        return r.length ? r : undefined
      },
      'the dlq record',
      20_000,
    )
    expect(await channel.deadLetter.decode(dlq!)).toMatchObject({ taskId: id, pool: 'slow', attempts: 2 })
  })

  it('cancel kills the process a running command handler started', async () => {
    const id = (await createTask(execute, { pool: 'cmd', payload: {} })).aggregateId
    await waitFor(async () => collected.of('TaskStarted', id)[0], 'the command to start', 20_000)
    await waitFor(async () => (await sleepers()).length > 0, 'sleep 30 running', 10_000)
    const { taskDecider } = await import('../src/commands/task/task.decider.ts')
    await execute(
      'task',
      id,
      taskDecider,
      { type: 'CancelTask', reason: 'test' },
      { commandId: `cancel-${id}`, correlationId: id, causationId: null, actor: 'test' },
    )
    await waitFor(async () => (await sleepers()).length === 0, 'sleep 30 killed', 10_000)
    expect(collected.of('TaskCompleted', id)).toHaveLength(0)
    async function sleepers(): Promise<number[]> {
      const { execFile } = await import('node:child_process')
      const out = await new Promise<string>((resolve) =>
        execFile('pgrep', ['-P', String(workers.pid), '-f', '.'], (_, stdout) => resolve(stdout)),
      )
      const pids = out.split('\n').filter(Boolean)
      const grand = await Promise.all(
        pids.map((p) => new Promise<string>((resolve) => execFile('pgrep', ['-P', p, '-x', 'sleep'], (_, stdout) => resolve(stdout)))),
      )
      return grand.join('\n').split('\n').filter(Boolean).map(Number)
    }
  })
})

async function readAll(h: Harness, topic: string, count: number): Promise<Buffer[]> {
  const { ulid } = await import('ulid')
  const out: Buffer[] = []
  const consumer = h.services.kafka.consumer({ groupId: `${h.config.kafka.topicPrefix}.test-read.${ulid()}`, maxWaitTimeInMs: 50 })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value) out.push(message.value)
    },
  })
  await waitFor(async () => out.length >= count, `${count} records on ${topic}`, 10_000).catch(() => undefined)
  await consumer.disconnect()
  return out
}
