import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hitlDecider } from '../src/commands/hitl/hitl.decider.ts'
import { inputRequestId } from '../src/commands/raise-input-request.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { ExistingTask } from '../src/commands/task/task.state.ts'
import type { WriteSide } from '../src/commands/write-side.ts'
import { logEnd, postJson, startHarness, waitFor, type Harness } from './support/harness.ts'
import { readStream } from './support/read-log.ts'

type Accepted = { id: string; version: number; events: { type: string }[] }
type Hitl = {
  id: string
  version: number
  status: string
  taskId: string | null
  projectId: string | null
  options: string[] | null
  response: unknown
  respondedBy: string | null
}

describe('HITL requests over HTTP against the real stack', () => {
  let h: Harness
  let w: WriteSide
  let projectId: string
  const ctx = (commandId: string) => ({ commandId, correlationId: commandId, causationId: null, actor: 'test-agent' })
  const get = async <T>(path: string) => {
    const res = await fetch(`${h.baseUrl}${path}`)
    return { status: res.status, body: (await res.json()) as T }
  }

  /** A task of the project, claimed and started by agent-1: the epoch comes from the command's state. */
  const runningTask = async (title: string) => {
    const created = (await (await postJson(`${h.baseUrl}/api/v1/tasks`, { title, pool: 'reviews', projectId })).json()) as Accepted
    const claimed = await w.execute(
      'task',
      created.id,
      taskDecider,
      { type: 'ClaimTask', agentId: 'agent-1', leaseMs: 30_000, now: Date.now() },
      ctx(`claim-${created.id}`),
    )
    const epoch = (claimed.state as ExistingTask).leaseEpoch
    await w.execute(
      'task',
      created.id,
      taskDecider,
      { type: 'StartTask', agentId: 'agent-1', dispatchVersion: null, leaseEpoch: epoch },
      ctx(`start-${created.id}`),
    )
    return { taskId: created.id, leaseEpoch: epoch }
  }

  beforeAll(async () => {
    h = await startHarness({ pools: ['reviews'], env: { AGENTFLEET_HITL_EXPIRY_INTERVAL_MS: '200' } })
    w = await h.writeSide()
    const p = (await (await postJson(`${h.baseUrl}/api/v1/projects`, { name: 'Reviews' })).json()) as Accepted
    projectId = p.id
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('a running task asks, the request is listed as pending for its project, the answer resumes the task', async () => {
    const { taskId, leaseEpoch } = await runningTask('review the diff')
    const res = await postJson(`${h.baseUrl}/api/v1/tasks/${taskId}/input-requests`, {
      agentId: 'agent-1',
      leaseEpoch,
      question: 'Merge this change?',
      options: ['approve', 'reject'],
      context: { pr: 42 },
    })
    expect(res.status).toBe(201)
    const raised = (await res.json()) as Accepted
    expect(raised.events.map((e) => e.type)).toEqual(['HitlRequested', 'TaskInputRequested'])

    const pending = await waitFor(async () => {
      const page = await get<{ items: Hitl[] }>(`/api/v1/hitl?status=pending&projectId=${projectId}`)
      return page.body.items.find((i) => i.id === raised.id)
    }, 'the pending request in the list')
    expect(pending).toMatchObject({ taskId, projectId, options: ['approve', 'reject'], status: 'pending' })
    await waitFor(
      async () => (await get<{ status: string }>(`/api/v1/tasks/${taskId}`)).body.status === 'awaiting_input',
      'the task awaiting input',
    )

    // An answer outside the options is refused and changes nothing.
    const before = { hitl: await logEnd(h, 'hitl'), task: await logEnd(h, 'task') }
    const bad = await postJson(`${h.baseUrl}/api/v1/hitl/${raised.id}/respond`, { response: 'maybe', respondedBy: 'alice' })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toBe('application/problem+json')
    expect(((await bad.json()) as { code: string }).code).toBe('hitl.invalid-response')
    const malformed = await postJson(`${h.baseUrl}/api/v1/hitl/${raised.id}/respond`, { response: 'approve' })
    expect(malformed.status).toBe(400)
    expect({ hitl: await logEnd(h, 'hitl'), task: await logEnd(h, 'task') }).toEqual(before)
    expect((await get<Hitl>(`/api/v1/hitl/${raised.id}`)).body).toMatchObject({ status: 'pending', version: pending.version })

    const ok = await postJson(`${h.baseUrl}/api/v1/hitl/${raised.id}/respond`, { response: 'approve', respondedBy: 'alice' })
    expect(ok.status).toBe(200)
    const answered = (await ok.json()) as Accepted
    expect((await get<Hitl>(`/api/v1/hitl/${raised.id}?minVersion=${answered.version}`)).body).toMatchObject({
      status: 'answered',
      response: 'approve',
      respondedBy: 'alice',
    })

    // The reactor resumes the task: queued again, reason 'resumed', with the answer in its state.
    await waitFor(async () => (await get<{ status: string }>(`/api/v1/tasks/${taskId}`)).body.status === 'queued', 'the task queued again')
    const log = await readStream(h, 'task', taskId)
    const received = log.find((e) => e.type === 'TaskInputReceived')
    expect(received?.data).toEqual({ requestId: raised.id, response: '"approve"' })
    expect(log.at(-1)).toMatchObject({ type: 'TaskQueued', data: { reason: 'resumed' } })
    const again = await w.execute(
      'task',
      taskId,
      taskDecider,
      { type: 'ClaimTask', agentId: 'agent-1', leaseMs: 30_000, now: Date.now() },
      ctx(`reclaim-${taskId}`),
    )
    expect((again.state as ExistingTask).inputs).toEqual([{ requestId: raised.id, response: '"approve"' }])

    const twice = await postJson(`${h.baseUrl}/api/v1/hitl/${raised.id}/respond`, { response: 'reject', respondedBy: 'bob' })
    expect(twice.status).toBe(409)
    expect(((await twice.json()) as { code: string }).code).toBe('hitl.already-answered')
  })

  it('an answer given before the task parks on its request is delivered when it parks', async () => {
    const { taskId, leaseEpoch } = await runningTask('answered early')
    const requestId = inputRequestId(taskId, leaseEpoch)
    const raise = {
      type: 'RaiseHitlRequest' as const,
      commandId: `raise:${requestId}`,
      taskId,
      agentId: 'agent-1',
      projectId,
      question: 'Ship it?',
      options: null,
      context: null,
      expiresAt: null,
      now: Date.now(),
    }
    await w.execute('hitl', requestId, hitlDecider, raise, ctx(`raise:${requestId}`))
    const ok = await postJson(`${h.baseUrl}/api/v1/hitl/${requestId}/respond`, { response: 'yes', respondedBy: 'alice' })
    expect(ok.status).toBe(200)
    // Long enough for the reactor to have met the answer while the task still runs (and not parked it).
    await sleep(2_500)
    expect((await readStream(h, 'task', taskId)).map((e) => e.type)).not.toContain('TaskInputReceived')

    await w.execute(
      'task',
      taskId,
      taskDecider,
      { type: 'RequestTaskInput', requestId, question: 'Ship it?', leaseEpoch },
      ctx(`park-${taskId}`),
    )
    await waitFor(async () => (await get<{ status: string }>(`/api/v1/tasks/${taskId}`)).body.status === 'queued', 'the task resumed')
    const log = await readStream(h, 'task', taskId)
    expect(log.filter((e) => e.type === 'TaskInputReceived').map((e) => e.data)).toEqual([{ requestId, response: '"yes"' }])
    expect(log.at(-1)).toMatchObject({ type: 'TaskQueued', data: { reason: 'resumed' } })
  })

  it('a request that passes its deadline expires by itself and cancels its task', async () => {
    const { taskId, leaseEpoch } = await runningTask('wait for a sign-off')
    const raised = (await (
      await postJson(`${h.baseUrl}/api/v1/tasks/${taskId}/input-requests`, {
        agentId: 'agent-1',
        leaseEpoch,
        question: 'Sign off?',
        expiresAt: new Date(Date.now() + 800).toISOString(),
      })
    ).json()) as Accepted
    await waitFor(async () => (await get<Hitl>(`/api/v1/hitl/${raised.id}`)).body.status === 'expired', 'the request expired')
    const task = await waitFor(async () => {
      const t = (await get<{ status: string; cancelReason: string | null }>(`/api/v1/tasks/${taskId}`)).body
      return t.status === 'cancelled' && t
    }, 'the task cancelled')
    expect(task.cancelReason).toContain('expired')
    const late = await postJson(`${h.baseUrl}/api/v1/hitl/${raised.id}/respond`, { response: 'yes', respondedBy: 'alice' })
    expect(((await late.json()) as { code: string }).code).toBe('hitl.expired')
  })

  it('a stale lease cannot park the task: 409, and the request is withdrawn without touching the task', async () => {
    const { taskId, leaseEpoch } = await runningTask('stale')
    const res = await postJson(`${h.baseUrl}/api/v1/tasks/${taskId}/input-requests`, {
      agentId: 'agent-1',
      leaseEpoch: leaseEpoch + 5,
      question: 'Q?',
    })
    expect(res.status).toBe(409)
    expect(((await res.json()) as { code: string }).code).toBe('task.stale-lease')
    const withdrawn = await waitFor(async () => {
      const page = await get<{ items: Hitl[] }>(`/api/v1/hitl?taskId=${taskId}`)
      return page.body.items.find((i) => i.status === 'cancelled')
    }, 'the withdrawn request')
    expect(withdrawn.taskId).toBe(taskId)
    const log = await readStream(h, 'task', taskId)
    expect(log.map((e) => e.type)).toEqual(['TaskCreated', 'TaskQueued', 'TaskClaimed', 'TaskStarted'])
  })

  it('raises, cancels and expires requests without a task; bad input is refused and appends nothing', async () => {
    const raised = (await (
      await postJson(`${h.baseUrl}/api/v1/hitl`, { agentId: 'agent-9', projectId, question: 'Budget?', context: { eur: 100 } })
    ).json()) as Accepted
    const cancelled = await postJson(`${h.baseUrl}/api/v1/hitl/${raised.id}/cancel`, { reason: 'obsolete' })
    expect(cancelled.status).toBe(200)
    const other = (await (await postJson(`${h.baseUrl}/api/v1/hitl`, { question: 'Go?' })).json()) as Accepted
    expect((await postJson(`${h.baseUrl}/api/v1/hitl/${other.id}/expire`, {})).status).toBe(200)
    const v = ((await (await postJson(`${h.baseUrl}/api/v1/hitl/${other.id}/expire`, {})).json()) as Accepted).version
    expect((await get<Hitl>(`/api/v1/hitl/${other.id}?minVersion=${v}`)).body.status).toBe('expired')
    // A JSON null context is a valid body and must not stop the read model (its column holds an object).
    const bare = (await (await postJson(`${h.baseUrl}/api/v1/hitl`, { question: 'Null?', context: null })).json()) as Accepted
    expect((await get<Hitl & { context: unknown }>(`/api/v1/hitl/${bare.id}?minVersion=${bare.version}`)).body).toMatchObject({
      status: 'pending',
      context: {},
    })

    const before = await logEnd(h, 'hitl')
    const cases: unknown[] = [
      {},
      { question: '' },
      { question: 'x', options: [] },
      { question: 'x', expiresAt: 'tomorrow' },
      { question: 'x', surprise: 1 },
    ]
    for (const body of cases) {
      const res = await postJson(`${h.baseUrl}/api/v1/hitl`, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(((await res.json()) as { code: string }).code).toBe('request.invalid')
    }
    const past = await postJson(`${h.baseUrl}/api/v1/hitl`, { question: 'x', expiresAt: new Date(Date.now() - 1_000).toISOString() })
    expect(((await past.json()) as { code: string }).code).toBe('hitl.invalid-expiry')
    const onCancelled = await postJson(`${h.baseUrl}/api/v1/hitl/${raised.id}/respond`, { response: 'x', respondedBy: 'a' })
    expect(((await onCancelled.json()) as { code: string }).code).toBe('hitl.cancelled')
    expect((await postJson(`${h.baseUrl}/api/v1/hitl/nope/cancel`, {})).status).toBe(404)
    expect((await get<{ code: string }>('/api/v1/hitl/nope')).body.code).toBe('hitl.not-found')
    expect(await logEnd(h, 'hitl')).toBe(before)
  })
})
