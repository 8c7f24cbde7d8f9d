import { randomBytes } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandHandler } from '../src/commands/handle-command.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import { workerGroup } from '../src/dispatch/dispatch-topics.ts'
import { createTaskLeases } from '../src/leases/task-leases.ts'
import { startHarness, waitFor, type Harness } from './support/harness.ts'
import {
  childrenOf,
  collectTaskEvents,
  createTask,
  processGroup,
  running,
  runRecovery,
  spawnWorkers,
  stopProcess,
} from './support/workers.ts'

const shutdownMs = 3_000

const pidsIn = (file: string): number[] => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number)
  } catch {
    return []
  }
}

describe('a worker process or its primary killed by SIGKILL (real forked processes)', () => {
  let h: Harness
  let execute: CommandHandler
  let collected: Awaited<ReturnType<typeof collectTaskEvents>>
  let recovery: ReturnType<typeof runRecovery>
  const pidFiles: string[] = []

  beforeAll(async () => {
    h = await startHarness({
      api: false,
      projector: false,
      env: {
        AGENTFLEET_DISPATCH_PARTITIONS: '3',
        AGENTFLEET_RETRY_BASE_MS: '20',
        AGENTFLEET_RETRY_MAX_MS: '50',
        AGENTFLEET_WORKER_SHUTDOWN_MS: String(shutdownMs),
        AGENTFLEET_WORKER_RESTART_MS: '100',
      },
    })
    execute = (await h.writeSide()).execute
    collected = await collectTaskEvents(h)
    recovery = runRecovery(h, execute, collected)
  })
  afterAll(async () => {
    await recovery?.stop()
    await collected?.stop()
    await h?.stop()
    for (const file of pidFiles) {
      // What a failed test left running.
      for (const pid of pidsIn(file)) if (running(pid)) process.kill(pid, 'SIGKILL')
      rmSync(file, { force: true })
    }
  })

  /**
   * A command pool whose command is a shell that writes its pid, starts a grandchild in the
   * background (its pid too) and waits: `attempts()` reads the pids written, one line per process.
   */
  const commandPool = (pool: string, env: Record<string, string> = {}) => {
    const file = join(tmpdir(), `af-${pool}-${randomBytes(4).toString('hex')}.pids`)
    pidFiles.push(file)
    const script = `echo $$ >> ${file}; sleep 60 & echo $! >> ${file}; sleep 60`
    const workers = spawnWorkers(
      h,
      [
        ...['--pool', pool, '--max-agents', '1', '--scale-interval-ms', '300', '--handler', 'command'],
        ...['--handler-config', JSON.stringify({ command: 'sh', args: ['-c', script] })],
      ],
      env,
    )
    /** The shell and its grandchild of every attempt that wrote both. */
    const attempts = () => {
      const all = pidsIn(file)
      return Array.from({ length: Math.floor(all.length / 2) }, (_, i) => ({ shell: all[2 * i]!, grandchild: all[2 * i + 1]! }))
    }
    return { workers, attempts }
  }

  it("SIGKILL of a worker kills its command's whole process group: the retried attempt runs alone; shutdown kills the group too", async () => {
    const { workers, attempts } = commandPool('orphans', { AGENTFLEET_WORKER_LEASE_MS: '1500' })
    try {
      const id = (await createTask(execute, { pool: 'orphans', payload: {}, maxAttempts: 3 })).aggregateId
      const [first] = await waitFor(async () => attempts().length === 1 && attempts(), 'the command and its grandchild running', 20_000)
      const [worker] = await childrenOf(workers.pid)
      // The command is the worker's child, in a group of its own: the shell, the grandchild, the `sleep` it waits for, the watchdog.
      const group = processGroup(first!.shell)
      expect(group).toEqual(expect.arrayContaining([first!.shell, first!.grandchild]))
      expect(group.length).toBeGreaterThanOrEqual(3)
      expect(readFileSync(`/proc/${first!.shell}/stat`, 'utf8')).toMatch(new RegExp(`^${first!.shell} \\(sh\\) \\S+ ${worker} `))

      const killedAt = Date.now()
      process.kill(worker!, 'SIGKILL')
      await waitFor(async () => group.every((pid) => !running(pid)), 'every process of the group to die with the worker', 3_000)
      const groupDeadMs = Date.now() - killedAt
      console.info(`[orphans] command group of ${group.length} processes dead ${groupDeadMs} ms after SIGKILL of its worker`)

      // The lease expires, the task is retried by the restarted worker: one attempt runs, not two at once.
      const [, second] = await waitFor(async () => attempts().length === 2 && attempts(), 'the retried attempt running', 20_000)
      expect(collected.of('TaskLeaseExpired', id)).toHaveLength(1)
      expect(group.some(running)).toBe(false)
      const retried = processGroup(second!.shell)
      expect(retried).toEqual(expect.arrayContaining([second!.shell, second!.grandchild]))

      const stoppedAt = Date.now()
      expect(await stopProcess(workers)).toBe(0)
      expect(retried.some(running)).toBe(false)
      console.info(`[orphans] worker group stopped with a running command in ${Date.now() - stoppedAt} ms; its process group is gone`)
      await waitFor(async () => collected.of('TaskFailed', id).length === 1, 'the aborted attempt failed as retryable', 10_000)
      expect(collected.of('TaskFailed', id)[0]!.data).toMatchObject({
        retryable: true,
        error: 'the worker shut down before the task finished',
      })
    } finally {
      await stopProcess(workers)
    }
  })

  it("cancel kills the command's grandchildren too", async () => {
    const { workers, attempts } = commandPool('cancel')
    try {
      const id = (await createTask(execute, { pool: 'cancel', payload: {} })).aggregateId
      const [run] = await waitFor(async () => attempts().length === 1 && attempts(), 'the command and its grandchild running', 20_000)
      const doomed = [...new Set([...processGroup(run!.shell), run!.shell, run!.grandchild])]
      await execute(
        'task',
        id,
        taskDecider,
        { type: 'CancelTask', reason: 'test' },
        { commandId: `cancel-${id}`, correlationId: id, causationId: null, actor: 'test' },
      )
      await waitFor(async () => doomed.every((pid) => !running(pid)), 'the command and its grandchild killed', 5_000)
      expect(collected.of('TaskCompleted', id)).toHaveLength(0)
    } finally {
      expect(await stopProcess(workers)).toBe(0)
    }
  })

  it('SIGKILL of the primary: its workers drain (finish or fail-and-retry their tasks, commit, leave the group) and exit', async () => {
    const pool = 'headless'
    // Leases far longer than the test: nothing here may wait for one to expire.
    const workers = spawnWorkers(h, ['--pool', pool, '--min-workers', '2', '--max-workers', '2', '--max-agents', '4'], {
      AGENTFLEET_WORKER_LEASE_MS: '30000',
    })
    let children: number[] = []
    try {
      children = await waitFor(async () => {
        const pids = await childrenOf(workers.pid)
        return pids.length === 2 && pids
      }, 'two worker processes')
      // Both consuming: a primary gone while a worker still starts ends that worker at once, as nothing runs there yet.
      const group = workerGroup(h.config.kafka.topicPrefix, pool)
      await waitFor(async () => {
        const [described] = (await h.services.admin.describeGroups([group])).groups
        return described?.state === 'Stable' && described.members.length === 2
      }, 'both workers in the consumer group')
      const task = (delayMs: number) => createTask(execute, { pool, payload: { delayMs }, maxAttempts: 3 }).then((r) => r.aggregateId)
      const quick = await Promise.all([task(1_500), task(1_500)])
      const slow = await Promise.all([task(60_000), task(60_000)])
      const ids = [...quick, ...slow]
      await waitFor(async () => ids.every((id) => collected.of('TaskStarted', id).length === 1), 'all four tasks running', 20_000)

      const killedAt = Date.now()
      workers.kill('SIGKILL')
      await workers.exited
      const exitedIn = await waitFor(
        async () => children.every((pid) => !running(pid)) && Date.now() - killedAt,
        'the orphaned workers to exit',
        15_000,
      )
      console.info(`[primary] ${children.length} orphaned workers drained and exited ${exitedIn} ms after SIGKILL of their primary`)
      expect(exitedIn).toBeLessThan(shutdownMs + 2_000)

      await waitFor(
        async () => ids.every((id) => collected.of('TaskCompleted', id).length + collected.of('TaskFailed', id).length > 0),
        'the outcomes',
      )
      for (const id of quick) {
        expect(collected.of('TaskCompleted', id)).toHaveLength(1)
        expect(collected.of('TaskFailed', id)).toHaveLength(0)
      }
      for (const id of slow) {
        const failed = collected.of('TaskFailed', id)
        expect(failed).toHaveLength(1)
        expect(failed[0]!.data).toMatchObject({ retryable: true, error: 'the worker shut down before the task finished' })
      }
      // Queued again through the retry timer, not the lease reaper, and no run lease is left behind.
      await waitFor(async () => slow.every((id) => collected.of('TaskQueued', id).length === 2), 'the slow tasks queued again', 10_000)
      const leases = createTaskLeases({ redis: h.services.redis, prefix: h.config.redis.prefix })
      for (const id of ids) {
        expect(collected.of('TaskRetryScheduled', id)).toHaveLength(slow.includes(id) ? 1 : 0)
        expect(collected.of('TaskLeaseExpired', id)).toHaveLength(0)
        expect(await leases.get(id)).toBeUndefined()
      }
      // The workers left the consumer group (rather than timing out of it) with every offset committed.
      const [described] = (await h.services.admin.describeGroups([group])).groups
      expect(described!.members).toHaveLength(0)
      const offsets = await h.services.admin.fetchOffsets({ groupId: group })
      const committed = offsets.flatMap((t) => t.partitions.map((p) => Math.max(0, Number(p.offset))))
      expect(committed.reduce((a, b) => a + b, 0)).toBe(ids.length)
    } finally {
      if (workers.exitCode === null && workers.signalCode === null) workers.kill('SIGKILL')
      for (const pid of children) if (running(pid)) process.kill(pid, 'SIGKILL')
    }
  })
})
