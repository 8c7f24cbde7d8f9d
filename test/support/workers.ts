import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { newId } from '../../src/infra/ids.ts'
import type { CommandHandler } from '../../src/commands/handle-command.ts'
import type { CreateTask } from '../../src/commands/task/task.commands.ts'
import { taskDecider } from '../../src/commands/task/task.decider.ts'
import type { StoredEvent } from '../../src/events/envelope.ts'
import type { TaskPriority } from '../../src/events/generated/event-types.ts'
import { eventTopic } from '../../src/events/topics.ts'
import { createTaskLeases } from '../../src/leases/task-leases.ts'
import type { Harness } from './harness.ts'

/** Starts `agentfleet workers <args>` as a real process tree with the harness' environment. */
export function spawnWorkers(
  h: Harness,
  args: readonly string[],
  env: Record<string, string> = {},
): ChildProcess & { exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['bin/agentfleet.js', 'workers', ...args], {
    env: { ...process.env, ...h.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: false,
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return Object.assign(child, { exited })
}

export const stopProcess = async (child: ChildProcess & { exited: Promise<number | null> }, signal: NodeJS.Signals = 'SIGTERM') => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  return child.exited
}

/** The pids whose parent is `pid` (a worker group's primary: its worker processes). */
export const childrenOf = (pid: number | undefined) =>
  new Promise<number[]>((resolve) =>
    execFile('pgrep', ['-P', String(pid)], (_, out) => resolve(out.split('\n').filter(Boolean).map(Number))),
  )

/** The fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, …; undefined once the process is gone. */
const statOf = (pid: number): string[] | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** Whether `pid` still runs: a zombie (dead, not yet reaped by its new parent) does not. Linux only. */
export const running = (pid: number): boolean => {
  const state = statOf(pid)?.[0]
  return state !== undefined && state !== 'Z' && state !== 'X'
}

/** The running processes of process group `pgid`. Linux only. */
export const processGroup = (pgid: number): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => statOf(pid)?.[2] === String(pgid) && running(pid))

/** Every task event of the harness, decoded, as it arrives. */
export async function collectTaskEvents(h: Harness, aggregate = 'task') {
  const events: StoredEvent[] = []
  const consumer = h.services.kafka.consumer({ groupId: `${h.config.kafka.topicPrefix}.test-collector.${newId()}`, maxWaitTimeInMs: 50 })
  await consumer.connect()
  await consumer.subscribe({ topic: eventTopic(h.config.kafka.topicPrefix, aggregate), fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ message, topic, partition }) => {
      events.push(await h.services.codec.decode(message, { topic, partition, offset: message.offset }))
    },
  })
  const of = (type: string, taskId?: string) =>
    events.filter((e) => e.type === type && (taskId === undefined || e.meta.aggregateId === taskId))
  return { events, of, stop: () => consumer.disconnect() }
}

export const createTask = (execute: CommandHandler, over: Partial<CreateTask> & { pool: string }, id = newId()) =>
  execute(
    'task',
    id,
    taskDecider,
    {
      type: 'CreateTask',
      commandId: `c-${id}`,
      title: 't',
      description: null,
      role: null,
      priority: 'NORMAL' as TaskPriority,
      payload: {},
      metadata: {},
      maxAttempts: 3,
      timeoutMs: 30_000,
      projectId: null,
      workflowId: null,
      dependsOn: [],
      ...over,
      taskId: id,
    },
    { commandId: `c-${id}`, correlationId: id, causationId: null, actor: 'test' },
    { expectNew: true },
  )

/**
 * Recovery the lease reaper and the retry scheduler provide in production: expired run leases →
 * ExpireTaskLease; TaskRetryScheduled → QueueTaskRetry. Runs until stopped.
 */
export function runRecovery(h: Harness, execute: CommandHandler, collected: Awaited<ReturnType<typeof collectTaskEvents>>) {
  const leases = createTaskLeases({ redis: h.services.redis, prefix: h.config.redis.prefix })
  const queued = new Set<string>()
  const ctx = (id: string) => ({ commandId: id, correlationId: id, causationId: null, actor: 'test-recovery' })
  let running = true
  const loop = (async () => {
    while (running) {
      for (const lease of await leases.expired(Date.now())) {
        await execute(
          'task',
          lease.taskId,
          taskDecider,
          { type: 'ExpireTaskLease', leaseEpoch: lease.epoch, now: Date.now(), retryDelayMs: 10 },
          ctx(`expire-${lease.taskId}-${lease.epoch}`),
        ).catch(() => undefined)
        await leases.release(lease.taskId, lease.epoch)
      }
      for (const e of collected.of('TaskRetryScheduled')) {
        const key = `${e.meta.aggregateId}:${e.meta.version}`
        if (queued.has(key)) continue
        queued.add(key)
        const attempt = (e.data as { attempt: number }).attempt
        await execute('task', e.meta.aggregateId, taskDecider, { type: 'QueueTaskRetry', attempt }, ctx(`retry-${key}`)).catch(
          () => undefined,
        )
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
    },
  }
}
