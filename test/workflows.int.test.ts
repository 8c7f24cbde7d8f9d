import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { ExistingTask } from '../src/commands/task/task.state.ts'
import type { WriteSide } from '../src/commands/write-side.ts'
import { logEnd, postJson, startHarness, waitFor, type Harness } from './support/harness.ts'

type Accepted = { id: string; version: number; events: { type: string }[] }
type Step = { stepId: string; taskId: string; state: string; taskStatus: string | null }
type Workflow = {
  id: string
  status: string
  progress: { completed: number; skipped: number; total: number; percent: number }
  steps: Step[]
  failedStep: string | null
}

describe('workflows over HTTP against the real stack', () => {
  let h: Harness
  let w: WriteSide
  let projectId: string
  const ctx = (commandId: string) => ({ commandId, correlationId: commandId, causationId: null, actor: 'test-agent' })
  const getJson = async <T>(path: string) => (await (await fetch(`${h.baseUrl}${path}`)).json()) as T
  const taskStatus = async (taskId: string) => (await getJson<{ status?: string }>(`/api/v1/tasks/${taskId}`)).status

  /** Drives one step's task through the write side, as an agent would: claim, start, then complete or fail. */
  const finish = async (taskId: string, outcome: 'complete' | 'fail') => {
    await waitFor(async () => (await taskStatus(taskId)) === 'queued', `${taskId} queued`)
    const claimed = await w.execute(
      'task',
      taskId,
      taskDecider,
      { type: 'ClaimTask', agentId: 'agent-1', leaseMs: 30_000, now: Date.now() },
      ctx(`claim-${taskId}`),
    )
    const leaseEpoch = (claimed.state as ExistingTask).leaseEpoch
    await w.execute(
      'task',
      taskId,
      taskDecider,
      { type: 'StartTask', agentId: 'agent-1', dispatchVersion: null, leaseEpoch },
      ctx(`start-${taskId}`),
    )
    const command =
      outcome === 'complete'
        ? { type: 'CompleteTask' as const, agentId: 'agent-1', leaseEpoch, result: { ok: true }, now: Date.now() }
        : { type: 'FailTask' as const, agentId: 'agent-1', leaseEpoch, error: 'broken', retryable: false, now: Date.now(), retryDelayMs: 0 }
    await w.execute('task', taskId, taskDecider, command, ctx(`${outcome}-${taskId}`))
  }

  /** A → B, A → C; `optional` marks B. */
  const diamond = (name: string, optional = false) => ({
    name,
    projectId,
    steps: [
      { stepId: 'a', title: 'build', pool: 'ci' },
      { stepId: 'b', title: 'test', pool: 'ci', dependsOn: ['a'], optional, maxAttempts: 1 },
      { stepId: 'c', title: 'docs', pool: 'ci', dependsOn: ['a'], maxAttempts: 1 },
    ],
  })
  const createAndRun = async (body: unknown) => {
    const created = await postJson(`${h.baseUrl}/api/v1/workflows`, body)
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as Accepted
    const started = await postJson(`${h.baseUrl}/api/v1/workflows/${id}/execute`, {})
    expect(started.status).toBe(202)
    return id
  }
  const settledWorkflow = (id: string, status: string) =>
    waitFor(async () => {
      const wf = await getJson<Workflow>(`/api/v1/workflows/${id}`)
      return wf.status === status && wf
    }, `workflow ${status}`)

  beforeAll(async () => {
    h = await startHarness({ pools: ['ci'] })
    w = await h.writeSide()
    projectId = ((await (await postJson(`${h.baseUrl}/api/v1/projects`, { name: 'Release train' })).json()) as Accepted).id
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('runs A → B, A → C to completion with 100% progress; the dependents wait for A', async () => {
    const id = await createAndRun(diamond('release'))
    await finish(`${id}.a`, 'complete')
    // B and C are released by the workflow once A completed.
    await finish(`${id}.b`, 'complete')
    await finish(`${id}.c`, 'complete')
    const wf = await settledWorkflow(id, 'completed')
    expect(wf.progress).toEqual({ completed: 3, skipped: 0, total: 3, percent: 100 })
    expect(wf.steps.map((s) => [s.stepId, s.state])).toEqual([
      ['a', 'completed'],
      ['b', 'completed'],
      ['c', 'completed'],
    ])
    // taskStatus comes from the tasks read model, which another projection keeps: it may trail briefly.
    await waitFor(
      async () => (await getJson<Workflow>(`/api/v1/workflows/${id}`)).steps.every((s) => s.taskStatus === 'completed'),
      'task states in the workflow view',
    )
    const task = await getJson<{ workflowId: string; projectId: string; dependsOn: string[] }>(`/api/v1/tasks/${id}.b`)
    expect(task).toMatchObject({ workflowId: id, projectId, dependsOn: [`${id}.a`] })
  })

  it('a failing required step fails the workflow and cancels the open tasks', async () => {
    const id = await createAndRun(diamond('breaks'))
    const waiting = await waitFor(
      async () =>
        ((await getJson<Partial<Workflow>>(`/api/v1/workflows/${id}`)).steps ?? []).find(
          (s) => s.stepId === 'c' && s.taskStatus === 'waiting',
        ),
      'c waiting for a',
    )
    expect(waiting.state).toBe('waiting')
    await finish(`${id}.a`, 'complete')
    await finish(`${id}.b`, 'fail')
    const wf = await settledWorkflow(id, 'failed')
    expect(wf.failedStep).toBe('b')
    await waitFor(async () => (await taskStatus(`${id}.c`)) === 'cancelled', 'c cancelled')
    const after = await getJson<Workflow>(`/api/v1/workflows/${id}`)
    expect(after.steps.map((s) => [s.stepId, s.state])).toEqual([
      ['a', 'completed'],
      ['b', 'failed'],
      ['c', 'cancelled'],
    ])
  })

  it('a failing optional step is skipped, its dependents run and the workflow completes', async () => {
    const id = await createAndRun({
      name: 'optional lint',
      projectId,
      steps: [
        { stepId: 'lint', title: 'lint', pool: 'ci', optional: true, maxAttempts: 1 },
        { stepId: 'ship', title: 'ship', pool: 'ci', dependsOn: ['lint'] },
      ],
    })
    await finish(`${id}.lint`, 'fail')
    await finish(`${id}.ship`, 'complete')
    const wf = await settledWorkflow(id, 'completed')
    expect(wf.progress).toEqual({ completed: 1, skipped: 1, total: 2, percent: 100 })
    expect(wf.steps.map((s) => s.state)).toEqual(['skipped', 'completed'])
  })

  it('cancelling a running workflow cancels its open tasks; project status counts by project', async () => {
    const id = await createAndRun(diamond('abandoned'))
    await waitFor(async () => (await taskStatus(`${id}.c`)) === 'waiting', 'tasks created')
    expect((await postJson(`${h.baseUrl}/api/v1/workflows/${id}/cancel`, { reason: 'not needed' })).status).toBe(200)
    for (const step of ['a', 'b', 'c']) await waitFor(async () => (await taskStatus(`${id}.${step}`)) === 'cancelled', `${step} cancelled`)
    await settledWorkflow(id, 'cancelled')
    await postJson(`${h.baseUrl}/api/v1/hitl`, { projectId, question: 'Release notes ok?' })
    expect((await postJson(`${h.baseUrl}/api/v1/agents`, { name: 'reviewer', role: 'review', projectId })).status).toBe(201)

    const status = await waitFor(async () => {
      const s = await getJson<{
        tasks: { total: number; byStatus: Record<string, number> }
        hitl: { pending: number }
        agents: unknown
        workflows: { byStatus: Record<string, number> }
      }>(`/api/v1/projects/${projectId}/status`)
      return (
        s.hitl.pending === 1 &&
        s.tasks.total === 11 &&
        (s.tasks.byStatus.cancelled ?? 0) === 4 &&
        (s.agents as { total: number } | null)?.total === 1 &&
        s
      )
    }, 'project status counts')
    expect(status.tasks.byStatus).toEqual({ completed: 5, failed: 2, cancelled: 4 })
    expect(status.workflows.byStatus).toEqual({ completed: 2, failed: 1, cancelled: 1 })
    expect(status.agents).toEqual({ total: 1, byStatus: { idle: 1 } })
  })

  it('refuses an invalid DAG with details and appends nothing', async () => {
    const before = await logEnd(h, 'workflow')
    const cycle = await postJson(`${h.baseUrl}/api/v1/workflows`, {
      name: 'loop',
      steps: [
        { stepId: 'a', title: 'a', pool: 'ci', dependsOn: ['b'] },
        { stepId: 'b', title: 'b', pool: 'ci', dependsOn: ['a'] },
        { stepId: 'a', title: 'again', pool: 'ci', dependsOn: ['zz'] },
      ],
    })
    expect(cycle.status).toBe(400)
    expect(cycle.headers.get('content-type')).toBe('application/problem+json')
    const problem = (await cycle.json()) as { code: string; problems: { kind: string }[] }
    expect(problem.code).toBe('workflow.invalid-dag')
    expect(problem.problems.map((p) => p.kind).sort()).toEqual(['cycle', 'duplicate-step', 'unknown-dependency'])
    for (const body of [
      { name: 'x', steps: [] },
      { name: 'x', steps: [{ stepId: 'a.b', title: 't', pool: 'ci' }] },
      { steps: [{ stepId: 'a', title: 't', pool: 'ci' }] },
    ]) {
      expect((await postJson(`${h.baseUrl}/api/v1/workflows`, body)).status, JSON.stringify(body)).toBe(400)
    }
    expect((await postJson(`${h.baseUrl}/api/v1/workflows/nope/execute`, {})).status).toBe(404)
    expect(await logEnd(h, 'workflow')).toBe(before)
    expect((await getJson<{ items: unknown[] }>('/api/v1/workflows?status=pending')).items).toEqual([])
  })
})
