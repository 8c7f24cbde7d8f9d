import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../src/events/envelope.ts'
import { tasksProjection } from '../src/projections/tasks/tasks.projection.ts'
import { meta } from './support/decider-spec.ts'

const stored = (version: number, type: string, data: Record<string, unknown>): StoredEvent =>
  ({ type, data, aggregateType: 'task', meta: meta(version, { aggregateId: 't1' }), position: { topic: 'x', partition: 0, offset: String(version) } }) as StoredEvent

const created = stored(1, 'TaskCreated', {
  title: 'T', description: null, pool: 'p', priority: 'LOW', payload: '[1,2]', maxAttempts: 2, timeoutMs: 1000,
  projectId: 'prj', workflowId: null, dependsOn: ['other'],
})

describe('tasks projection', () => {
  it('creates the row from TaskCreated: waiting while dependencies are open', () => {
    const row = tasksProjection.project(undefined, created)
    expect(row).toMatchObject({ id: 't1', version: 1, status: 'waiting', priority_rank: 3, payload: [1, 2], depends_on: ['other'], project_id: 'prj' })
  })

  it('moves version, progress and status with later events', () => {
    const r1 = tasksProjection.project(undefined, created)
    const r2 = tasksProjection.project(r1, stored(2, 'TaskProgressReported', { percent: 30, message: 'm' }))
    const r3 = tasksProjection.project(r2, stored(3, 'TaskCancelled', { reason: 'no' }))
    expect(r2).toMatchObject({ version: 2, progress: 30, progress_message: 'm', status: 'waiting' })
    expect(r3).toMatchObject({ version: 3, status: 'cancelled', cancel_reason: 'no' })
  })

  it('ignores events for a row it never saw created', () => {
    expect(tasksProjection.project(undefined, stored(2, 'TaskProgressReported', { percent: 1, message: null }))).toBeUndefined()
  })
})
