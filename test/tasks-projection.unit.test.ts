import { describe, expect, it } from 'vitest'
import { tasksProjection, type TaskRow } from '../src/projections/tasks/tasks.projection.ts'
import { storedTaskEvent as stored } from './support/stored-event.ts'

const at = (version: number) => new Date(1_700_000_000_000 + version)
const createdData = {
  title: 'T',
  description: null,
  pool: 'p',
  role: 'writer',
  priority: 'LOW',
  payload: '[1,2]',
  maxAttempts: 2,
  timeoutMs: 1000,
  projectId: 'prj',
  workflowId: 'wf',
  dependsOn: ['other'],
  metadata: '{"team":"blue"}',
}
const created = stored(1, 'TaskCreated', createdData)
const p = (row: TaskRow | undefined, version: number, type: string, data: Record<string, unknown> = {}) =>
  tasksProjection.project(row, stored(version, type, data))!
const base = (): TaskRow => p(undefined, 1, 'TaskCreated', { ...createdData, dependsOn: [] })

describe('tasks projection', () => {
  it('creates the row from TaskCreated: waiting while dependencies are open, metadata parsed', () => {
    expect(tasksProjection.project(undefined, created)).toMatchObject({
      id: 't1',
      version: 1,
      status: 'waiting',
      priority_rank: 3,
      payload: [1, 2],
      depends_on: ['other'],
      open_dependencies: ['other'],
      project_id: 'prj',
      workflow_id: 'wf',
      role: 'writer',
      metadata: { team: 'blue' },
      attempt: 0,
      lease_epoch: 0,
      purged: false,
      agent_id: null,
      result: null,
      queued_at: null,
      finished_at: null,
      created_at: at(1),
      updated_at: at(1),
    })
  })

  it('reads null (or non-object) metadata as no labels, and a task without dependencies as created', () => {
    expect(p(undefined, 1, 'TaskCreated', { ...createdData, dependsOn: [], metadata: null })).toMatchObject({
      metadata: {},
      status: 'created',
    })
    expect(p(undefined, 1, 'TaskCreated', { ...createdData, metadata: '[1]' }).metadata).toEqual({})
  })

  it('TaskQueued: queued, attempt, pool and priority of the event, a fresh queued_at; earlier endings cleared', () => {
    const cancelled = p(base(), 2, 'TaskCancelled', { reason: 'x' })
    const row = p(cancelled, 3, 'TaskQueued', { attempt: 2, reason: 'manual-retry', pool: 'q', priority: 'CRITICAL' })
    expect(row).toMatchObject({
      status: 'queued',
      attempt: 2,
      pool: 'q',
      priority: 'CRITICAL',
      priority_rank: 0,
      queued_at: at(3),
      finished_at: null,
      cancel_reason: null,
      version: 3,
      updated_at: at(3),
    })
  })

  it('dependencies: added (back to waiting), removed, resolved', () => {
    const queued = p(base(), 2, 'TaskQueued', { attempt: 1, reason: 'created', pool: 'p', priority: 'LOW' })
    const added = p(queued, 3, 'TaskDependencyAdded', { dependencyId: 'd1' })
    expect(added).toMatchObject({ status: 'waiting', depends_on: ['d1'], open_dependencies: ['d1'] })
    const two = p(added, 4, 'TaskDependencyAdded', { dependencyId: 'd2' })
    const resolved = p(two, 5, 'TaskDependencyResolved', { dependencyId: 'd1' })
    expect(resolved).toMatchObject({ depends_on: ['d1', 'd2'], open_dependencies: ['d2'], status: 'waiting' })
    expect(p(resolved, 6, 'TaskDependencyRemoved', { dependencyId: 'd2' })).toMatchObject({ depends_on: ['d1'], open_dependencies: [] })
  })

  it('assigned, claimed, started: holder, epoch, attempt and started_at', () => {
    const assigned = p(base(), 2, 'TaskAssigned', { agentId: 'a1' })
    expect(assigned.assigned_agent_id).toBe('a1')
    const claimed = p(assigned, 3, 'TaskClaimed', { agentId: 'a1', attempt: 1, leaseEpoch: 4, leaseExpiresAt: 9 })
    expect(claimed).toMatchObject({ status: 'claimed', agent_id: 'a1', lease_epoch: 4, attempt: 1 })
    expect(p(claimed, 4, 'TaskStarted', { agentId: 'a1', attempt: 1, leaseEpoch: 4 })).toMatchObject({
      status: 'running',
      started_at: at(4),
    })
  })

  it('progress, input requested and received', () => {
    const progressed = p(base(), 2, 'TaskProgressReported', { percent: 30, message: 'm' })
    expect(progressed).toMatchObject({ progress: 30, progress_message: 'm' })
    const waiting = p(progressed, 3, 'TaskInputRequested', { requestId: 'r1', question: '?' })
    expect(waiting).toMatchObject({ status: 'awaiting_input', awaiting_request_id: 'r1' })
    expect(p(waiting, 4, 'TaskInputReceived', { requestId: 'r1', response: '"yes"' })).toMatchObject({
      status: 'awaiting_input',
      awaiting_request_id: null,
    })
  })

  it('completed: result parsed, progress 100, completed_at and finished_at', () => {
    expect(p(base(), 2, 'TaskCompleted', { agentId: 'a2', attempt: 1, result: '{"ok":true}', durationMs: 5 })).toMatchObject({
      status: 'completed',
      progress: 100,
      result: { ok: true },
      agent_id: 'a2',
      completed_at: at(2),
      finished_at: at(2),
    })
  })

  it('failed, then retry scheduled: finished until the retry is planned', () => {
    const failed = p(base(), 2, 'TaskFailed', { agentId: 'a1', attempt: 1, error: 'boom', retryable: true })
    expect(failed).toMatchObject({ status: 'failed', last_error: 'boom', finished_at: at(2), agent_id: 'a1' })
    expect(p(failed, 3, 'TaskRetryScheduled', { attempt: 2, retryAt: 5_000, delayMs: 1_000 })).toMatchObject({
      status: 'retry_scheduled',
      finished_at: null,
      retry_at: new Date(5_000),
    })
  })

  it('lease expired, dead-lettered, purged', () => {
    const expired = p(base(), 2, 'TaskLeaseExpired', { agentId: 'a9', attempt: 1, leaseEpoch: 1 })
    expect(expired).toMatchObject({ status: 'failed', last_error: 'lease of a9 expired' })
    const dead = p(expired, 3, 'TaskDeadLettered', { attempts: 2, lastError: 'lease of a9 expired', pool: 'p', priority: 'LOW' })
    expect(dead).toMatchObject({ status: 'dead_lettered', dead_lettered_at: at(3), finished_at: at(3) })
    expect(p(dead, 4, 'TaskPurged', { reason: null })).toMatchObject({ status: 'dead_lettered', purged: true })
  })

  it('cancelled: reason, finished, no pending input', () => {
    const waiting = p(base(), 2, 'TaskInputRequested', { requestId: 'r1', question: '?' })
    expect(p(waiting, 3, 'TaskCancelled', { reason: 'no' })).toMatchObject({
      version: 3,
      status: 'cancelled',
      cancel_reason: 'no',
      finished_at: at(3),
      awaiting_request_id: null,
    })
  })

  it('ignores events for a row it never saw created', () => {
    expect(tasksProjection.project(undefined, stored(2, 'TaskProgressReported', { percent: 1, message: null }))).toBeUndefined()
  })
})
