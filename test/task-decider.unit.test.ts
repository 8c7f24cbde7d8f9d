import { describe, it } from 'vitest'
import type { CreateTask } from '../src/commands/task/task.commands.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { TaskEvent } from '../src/events/generated/event-types.ts'
import { specFor } from './support/decider-spec.ts'

const spec = specFor(taskDecider)

const createTask = (overrides: Partial<CreateTask> = {}): CreateTask => ({
  type: 'CreateTask', commandId: 'cmd-1', title: 'Summarise', description: null, pool: 'default', priority: 'HIGH',
  payload: { doc: 42 }, maxAttempts: 3, timeoutMs: 60_000, projectId: null, workflowId: null, dependsOn: [], ...overrides,
})

const taskCreated = (overrides: Partial<Extract<TaskEvent, { type: 'TaskCreated' }>['data']> = {}): TaskEvent => ({
  type: 'TaskCreated',
  data: {
    title: 'Summarise', description: null, pool: 'default', priority: 'HIGH', payload: '{"doc":42}', maxAttempts: 3,
    timeoutMs: 60_000, projectId: null, workflowId: null, dependsOn: [], ...overrides,
  },
})

describe('task decider', () => {
  it('creates a task with its payload as JSON text', () => {
    spec.given([]).when(createTask()).then([taskCreated()])
  })

  it('treats a repeated create with the same command id as a no-op', () => {
    spec.given([[taskCreated(), { commandId: 'cmd-1' }]]).when(createTask({ commandId: 'cmd-1' })).then([])
  })

  it('refuses a second create of the same id by another command', () => {
    spec.given([[taskCreated(), { commandId: 'cmd-1' }]]).when(createTask({ commandId: 'cmd-2' })).thenThrows('task.already-exists')
  })

  it('refuses a dependency listed twice', () => {
    spec.given([]).when(createTask({ dependsOn: ['a', 'a'] })).thenThrows('task.duplicate-dependency')
  })

  it('reports progress on an open task', () => {
    spec.given([taskCreated()]).when({ type: 'ReportTaskProgress', percent: 40, message: 'halfway-ish' })
      .then([{ type: 'TaskProgressReported', data: { percent: 40, message: 'halfway-ish' } }])
  })

  it('refuses progress outside 0..100 and on unknown tasks', () => {
    spec.given([taskCreated()]).when({ type: 'ReportTaskProgress', percent: 101, message: null }).thenThrows('task.invalid-progress')
    spec.given([]).when({ type: 'ReportTaskProgress', percent: 1, message: null }).thenThrows('task.not-found')
  })

  it('cancels once; a second cancel is a no-op; progress after cancel is refused', () => {
    spec.given([taskCreated()]).when({ type: 'CancelTask', reason: 'obsolete' }).then([{ type: 'TaskCancelled', data: { reason: 'obsolete' } }])
    spec.given([taskCreated(), { type: 'TaskCancelled', data: { reason: null } }]).when({ type: 'CancelTask', reason: null }).then([])
    spec.given([taskCreated(), { type: 'TaskCancelled', data: { reason: null } }]).when({ type: 'ReportTaskProgress', percent: 5, message: null }).thenThrows('task.finished')
  })

  it('refuses to cancel a task that does not exist', () => {
    spec.given([]).when({ type: 'CancelTask', reason: null }).thenThrows('task.not-found')
  })
})
