import { describe, expect, it } from 'vitest'
import { cancelReason, dependencyFact } from '../src/reactors/dependencies/dependency-facts.ts'
import { storedTaskEvent as stored } from './support/stored-event.ts'

describe('dependency manager facts', () => {
  it('outcomes: completed, final failure, cancelled, dead-lettered', () => {
    expect(dependencyFact(stored(5, 'TaskCompleted', { agentId: 'a', attempt: 1, result: 'null', durationMs: 1 }))).toEqual({
      kind: 'outcome',
      taskId: 't1',
      version: 5,
      outcome: 'completed',
    })
    expect(dependencyFact(stored(5, 'TaskFailed', { agentId: 'a', attempt: 1, error: 'x', retryable: false }))).toMatchObject({
      outcome: 'failed',
    })
    expect(dependencyFact(stored(5, 'TaskCancelled', { reason: null }))).toMatchObject({ outcome: 'cancelled' })
    expect(dependencyFact(stored(6, 'TaskDeadLettered', { attempts: 3, lastError: 'x', pool: 'p', priority: 'LOW' }))).toMatchObject({
      outcome: 'dead_lettered',
      version: 6,
    })
  })

  it('a retryable failure is no outcome; a manual retry or requeue makes the task live again', () => {
    expect(dependencyFact(stored(5, 'TaskFailed', { agentId: 'a', attempt: 1, error: 'x', retryable: true }))).toBeUndefined()
    expect(dependencyFact(stored(7, 'TaskQueued', { attempt: 2, reason: 'manual-retry', pool: 'p', priority: 'LOW' }))).toMatchObject({
      kind: 'outcome',
      outcome: null,
    })
    expect(dependencyFact(stored(7, 'TaskQueued', { attempt: 2, reason: 'requeued', pool: 'p', priority: 'LOW' }))).toMatchObject({
      outcome: null,
    })
    expect(dependencyFact(stored(2, 'TaskQueued', { attempt: 1, reason: 'created', pool: 'p', priority: 'LOW' }))).toBeUndefined()
  })

  it('edges: opened by creation and addition, closed by removal and resolution', () => {
    expect(dependencyFact(stored(1, 'TaskCreated', { dependsOn: ['a', 'b'] }))).toEqual({
      kind: 'edges',
      taskId: 't1',
      version: 1,
      dependencies: ['a', 'b'],
      open: true,
    })
    expect(dependencyFact(stored(1, 'TaskCreated', { dependsOn: [] }))).toBeUndefined()
    expect(dependencyFact(stored(3, 'TaskDependencyAdded', { dependencyId: 'c' }))).toMatchObject({ dependencies: ['c'], open: true })
    expect(dependencyFact(stored(4, 'TaskDependencyRemoved', { dependencyId: 'c' }))).toMatchObject({ dependencies: ['c'], open: false })
    expect(dependencyFact(stored(4, 'TaskDependencyResolved', { dependencyId: 'c' }))).toMatchObject({ dependencies: ['c'], open: false })
    expect(dependencyFact(stored(4, 'TaskProgressReported', { percent: 1, message: null }))).toBeUndefined()
  })

  it('names the dependency and how it ended in the cancel reason', () => {
    expect(cancelReason('t9', 'dead_lettered')).toBe('dependency t9 dead_lettered')
  })
})
