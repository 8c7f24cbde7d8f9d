import { describe, it } from 'vitest'
import type { RaiseHitlRequest } from '../src/commands/hitl/hitl.commands.ts'
import { hitlDecider } from '../src/commands/hitl/hitl.decider.ts'
import type { HitlEvent } from '../src/events/generated/event-types.ts'
import { specFor } from './support/decider-spec.ts'

const spec = specFor(hitlDecider)

const raise = (overrides: Partial<RaiseHitlRequest> = {}): RaiseHitlRequest => ({
  type: 'RaiseHitlRequest',
  commandId: 'cmd-1',
  taskId: 't1',
  agentId: 'a1',
  projectId: 'p1',
  question: 'Ship it?',
  options: ['yes', 'no'],
  context: { diff: 3 },
  expiresAt: 5_000,
  now: 1_000,
  ...overrides,
})
const requested = (overrides: Partial<Extract<HitlEvent, { type: 'HitlRequested' }>['data']> = {}): HitlEvent => ({
  type: 'HitlRequested',
  data: {
    taskId: 't1',
    agentId: 'a1',
    projectId: 'p1',
    question: 'Ship it?',
    options: ['yes', 'no'],
    context: '{"diff":3}',
    expiresAt: 5_000,
    ...overrides,
  },
})
const respond = (response: unknown, now = 2_000) => ({ type: 'RespondToHitlRequest' as const, response, respondedBy: 'alice', now })
const expire = (now: number, onlyIfDue = true) => ({ type: 'ExpireHitlRequest' as const, now, onlyIfDue })
const cancel = { type: 'CancelHitlRequest' as const, reason: 'not needed', cancelTask: true }
const responded: HitlEvent = { type: 'HitlResponded', data: { taskId: 't1', response: '"yes"', respondedBy: 'alice' } }
const expired: HitlEvent = { type: 'HitlExpired', data: { taskId: 't1', expiresAt: 5_000 } }
const cancelled: HitlEvent = { type: 'HitlCancelled', data: { taskId: 't1', reason: 'not needed', cancelTask: true } }

describe('hitl decider: raise', () => {
  it('raises a request with the context as JSON text', () => {
    spec.given([]).when(raise()).then([requested()])
  })
  it('raises a free-answer request without task, options or deadline', () => {
    spec
      .given([])
      .when(raise({ taskId: null, agentId: null, options: null, expiresAt: null }))
      .then([requested({ taskId: null, agentId: null, options: null, expiresAt: null })])
  })
  it('is a no-op for a repeated raise, refuses another command on the same id', () => {
    spec
      .given([[requested(), { commandId: 'cmd-1' }]])
      .when(raise())
      .then([])
    spec
      .given([[requested(), { commandId: 'cmd-1' }]])
      .when(raise({ commandId: 'cmd-2' }))
      .thenThrows('hitl.already-exists')
  })
  it('refuses empty or duplicate options, an empty question and a past deadline', () => {
    spec
      .given([])
      .when(raise({ options: [] }))
      .thenThrows('hitl.invalid-options')
    spec
      .given([])
      .when(raise({ options: ['a', 'a'] }))
      .thenThrows('hitl.invalid-options')
    spec
      .given([])
      .when(raise({ question: '  ' }))
      .thenThrows('hitl.invalid-question')
    spec
      .given([])
      .when(raise({ expiresAt: 1_000 }))
      .thenThrows('hitl.invalid-expiry')
  })
})

describe('hitl decider: respond', () => {
  it('accepts one of the options', () => {
    spec.given([requested()]).when(respond('yes')).then([responded])
  })
  it('accepts any JSON for a free-answer request', () => {
    spec
      .given([requested({ options: null })])
      .when(respond({ note: 'fine' }))
      .then([{ type: 'HitlResponded', data: { taskId: 't1', response: '{"note":"fine"}', respondedBy: 'alice' } }])
  })
  it('refuses an answer outside the options', () => {
    spec.given([requested()]).when(respond('maybe')).thenThrows('hitl.invalid-response')
    spec
      .given([requested()])
      .when(respond({ choice: 'yes' }))
      .thenThrows('hitl.invalid-response')
  })
  it('refuses unknown, answered, expired, cancelled and overdue requests', () => {
    spec.given([]).when(respond('yes')).thenThrows('hitl.not-found')
    spec.given([requested(), responded]).when(respond('no')).thenThrows('hitl.already-answered')
    spec.given([requested(), expired]).when(respond('yes')).thenThrows('hitl.expired')
    spec.given([requested(), cancelled]).when(respond('yes')).thenThrows('hitl.cancelled')
    spec.given([requested()]).when(respond('yes', 5_000)).thenThrows('hitl.expired')
  })
})

describe('hitl decider: expire and cancel', () => {
  it('the expiry loop expires only past the deadline and leaves settled requests alone', () => {
    spec.given([requested()]).when(expire(4_999)).then([])
    spec.given([requested()]).when(expire(5_000)).then([expired])
    spec.given([requested(), responded]).when(expire(9_000)).then([])
    spec.given([requested(), cancelled]).when(expire(9_000)).then([])
    spec
      .given([requested({ expiresAt: null })])
      .when(expire(9_000))
      .then([])
  })
  it('an operator expires at once; expiring twice is a no-op; an answered request cannot expire', () => {
    spec.given([requested()]).when(expire(1_500, false)).then([expired])
    spec
      .given([requested({ expiresAt: null })])
      .when(expire(1_500, false))
      .then([{ type: 'HitlExpired', data: { taskId: 't1', expiresAt: null } }])
    spec.given([requested(), expired]).when(expire(9_000, false)).then([])
    spec.given([requested(), responded]).when(expire(1_500, false)).thenThrows('hitl.already-answered')
    spec.given([]).when(expire(1_500, false)).thenThrows('hitl.not-found')
  })
  it('cancels a pending request once; refuses a settled one', () => {
    spec.given([requested()]).when(cancel).then([cancelled])
    spec
      .given([requested()])
      .when({ ...cancel, cancelTask: false })
      .then([{ type: 'HitlCancelled', data: { taskId: 't1', reason: 'not needed', cancelTask: false } }])
    spec.given([requested(), cancelled]).when(cancel).then([])
    spec.given([requested(), responded]).when(cancel).thenThrows('hitl.already-answered')
    spec.given([requested(), expired]).when(cancel).thenThrows('hitl.expired')
    spec.given([]).when(cancel).thenThrows('hitl.not-found')
  })
})
