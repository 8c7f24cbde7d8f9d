import { DomainError } from '../../errors.ts'
import type { TaskEvent } from '../../events/generated/event-types.ts'
import { assertNever, type Decider } from '../decider.ts'
import type { CancelTask, CreateTask, ReportTaskProgress, TaskCommand } from './task.commands.ts'
import { terminalStatuses, type TaskState } from './task.state.ts'

type Existing = Extract<TaskState, { exists: true }>

const mustExist = (state: TaskState): Existing => {
  if (!state.exists) throw new DomainError('task.not-found', 'the task does not exist')
  return state
}

const create = (c: CreateTask, state: TaskState): TaskEvent[] => {
  if (state.exists) {
    if (state.createdBy === c.commandId) return []
    throw new DomainError('task.already-exists', 'a task with this id already exists')
  }
  if (c.dependsOn.length !== new Set(c.dependsOn).size) throw new DomainError('task.duplicate-dependency', 'a dependency is listed twice')
  return [{
    type: 'TaskCreated',
    data: {
      title: c.title, description: c.description, pool: c.pool, priority: c.priority,
      payload: JSON.stringify(c.payload ?? null), maxAttempts: c.maxAttempts, timeoutMs: c.timeoutMs,
      projectId: c.projectId, workflowId: c.workflowId, dependsOn: [...c.dependsOn],
    },
  }]
}

const reportProgress = (c: ReportTaskProgress, state: TaskState): TaskEvent[] => {
  const task = mustExist(state)
  if (terminalStatuses.has(task.status)) throw new DomainError('task.finished', `the task is ${task.status}`)
  if (!Number.isInteger(c.percent) || c.percent < 0 || c.percent > 100) throw new DomainError('task.invalid-progress', 'progress must be an integer from 0 to 100')
  return [{ type: 'TaskProgressReported', data: { percent: c.percent, message: c.message } }]
}

const cancel = (c: CancelTask, state: TaskState): TaskEvent[] => {
  const task = mustExist(state)
  if (task.status === 'cancelled') return []
  if (terminalStatuses.has(task.status)) throw new DomainError('task.not-cancellable', `the task is ${task.status}`)
  return [{ type: 'TaskCancelled', data: { reason: c.reason } }]
}

export const taskDecider: Decider<TaskState, TaskCommand, TaskEvent> = {
  initialState: () => ({ exists: false }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateTask': return create(command, state)
      case 'ReportTaskProgress': return reportProgress(command, state)
      case 'CancelTask': return cancel(command, state)
      default: return assertNever(command)
    }
  },

  evolve(state, event, meta) {
    switch (event.type) {
      case 'TaskCreated':
        return { exists: true, status: event.data.dependsOn.length > 0 ? 'waiting' : 'queued', createdBy: meta.commandId, pool: event.data.pool, priority: event.data.priority, progress: 0 }
      case 'TaskProgressReported':
        return state.exists ? { ...state, progress: event.data.percent } : state
      case 'TaskCancelled':
        return state.exists ? { ...state, status: 'cancelled' } : state
      default: return assertNever(event)
    }
  },
}
