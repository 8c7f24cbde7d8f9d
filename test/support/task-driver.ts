import type { CommandHandler } from '../../src/commands/handle-command.ts'
import type { TaskCommand } from '../../src/commands/task/task.commands.ts'
import { taskDecider } from '../../src/commands/task/task.decider.ts'
import type { ExistingTask } from '../../src/commands/task/task.state.ts'
import { postJson, waitFor, type Harness } from './harness.ts'

let seq = 0
const ctx = () => ({ commandId: `drv-${process.pid}-${++seq}`, correlationId: 'drive', causationId: null, actor: 'test-agent' })

/** Issues one task command on the write side; returns the new state. */
export async function taskCommand(execute: CommandHandler, id: string, command: TaskCommand): Promise<ExistingTask> {
  return (await execute('task', id, taskDecider, command, ctx())).state as ExistingTask
}

/** An HTTP-pulled agent's run: claim, start with the epoch of the claim, then complete or fail. */
export async function runTask(
  execute: CommandHandler,
  id: string,
  agentId: string,
  end: 'complete' | 'fail' = 'complete',
  result: unknown = { ok: true },
): Promise<ExistingTask> {
  const claimed = await taskCommand(execute, id, { type: 'ClaimTask', agentId, leaseMs: 30_000, now: Date.now() })
  await taskCommand(execute, id, { type: 'StartTask', agentId, dispatchVersion: null, leaseEpoch: claimed.leaseEpoch })
  return end === 'complete'
    ? taskCommand(execute, id, { type: 'CompleteTask', agentId, leaseEpoch: claimed.leaseEpoch, result, now: Date.now() })
    : taskCommand(execute, id, {
        type: 'FailTask',
        agentId,
        leaseEpoch: claimed.leaseEpoch,
        error: 'it broke',
        retryable: false,
        now: Date.now(),
        retryDelayMs: 0,
      })
}

export type Json = Record<string, unknown> & { items?: Record<string, unknown>[] }

export const getJson = async (h: Harness, path: string): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${h.baseUrl}${path}`)
  return { status: res.status, body: (await res.json()) as Json }
}

/** POST /api/v1/tasks; resolves once the read model shows the task. */
export async function createTask(h: Harness, body: Record<string, unknown>): Promise<{ id: string; version: number }> {
  const res = await postJson(`${h.baseUrl}/api/v1/tasks`, body)
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`)
  const accepted = (await res.json()) as { id: string; version: number }
  await fetch(`${h.baseUrl}/api/v1/tasks/${accepted.id}?minVersion=${accepted.version}`)
  return accepted
}

/** Polls the read model until the task has `status`. */
export const waitForStatus = (h: Harness, id: string, status: string, timeoutMs = 20_000) =>
  waitFor(
    async () => {
      const { body } = await getJson(h, `/api/v1/tasks/${id}`)
      return body.status === status ? body : undefined
    },
    `task ${id} ${status}`,
    timeoutMs,
  )
