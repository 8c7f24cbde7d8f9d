import { DomainError } from '../../errors.ts'
import type { EventMeta } from '../../events/envelope.ts'
import type { HitlEvent } from '../../events/generated/event-types.ts'
import { assertNever, type Decider } from '../decider.ts'
import type * as C from './hitl.commands.ts'
import type { ExistingHitl, HitlState } from './hitl.state.ts'

type Events = HitlEvent[]

const refuse = (code: string, message: string, details?: Record<string, unknown>): never => {
  throw new DomainError(code, message, { details })
}

const mustExist = (state: HitlState): ExistingHitl => (state.exists ? state : refuse('hitl.not-found', 'the HITL request does not exist'))

/** Only a pending request can change; the refusal names what happened to it. */
const mustBePending = (h: ExistingHitl): ExistingHitl => {
  if (h.status === 'answered') refuse('hitl.already-answered', 'the request has already been answered', { respondedBy: h.respondedBy })
  if (h.status === 'expired') refuse('hitl.expired', 'the request has expired')
  if (h.status === 'cancelled') refuse('hitl.cancelled', 'the request has been cancelled')
  return h
}

const raise = (c: C.RaiseHitlRequest, state: HitlState): Events => {
  if (state.exists) return state.raisedBy === c.commandId ? [] : refuse('hitl.already-exists', 'a HITL request with this id already exists')
  if (c.question.trim() === '') refuse('hitl.invalid-question', 'the question is empty')
  if (c.options !== null) {
    if (c.options.length === 0) refuse('hitl.invalid-options', 'options, when given, must list at least one answer')
    if (new Set(c.options).size !== c.options.length) refuse('hitl.invalid-options', 'an option is listed twice')
  }
  if (c.expiresAt !== null && c.expiresAt <= c.now)
    refuse('hitl.invalid-expiry', 'expiresAt must be in the future', { expiresAt: c.expiresAt, now: c.now })
  return [
    {
      type: 'HitlRequested',
      data: {
        taskId: c.taskId,
        agentId: c.agentId,
        projectId: c.projectId,
        question: c.question,
        options: c.options === null ? null : [...c.options],
        context: JSON.stringify(c.context ?? null),
        expiresAt: c.expiresAt,
      },
    },
  ]
}

const respond = (c: C.RespondToHitlRequest, state: HitlState): Events => {
  const h = mustBePending(mustExist(state))
  if (h.expiresAt !== null && c.now >= h.expiresAt)
    refuse('hitl.expired', 'the request expired before it was answered', { expiresAt: h.expiresAt })
  if (h.options !== null && (typeof c.response !== 'string' || !h.options.includes(c.response))) {
    refuse('hitl.invalid-response', 'the response must be one of the options', { options: h.options })
  }
  return [{ type: 'HitlResponded', data: { taskId: h.taskId, response: JSON.stringify(c.response ?? null), respondedBy: c.respondedBy } }]
}

const expire = (c: C.ExpireHitlRequest, state: HitlState): Events => {
  const h = mustExist(state)
  if (h.status === 'expired') return []
  if (c.onlyIfDue) {
    // The expiry loop reads a read model that may lag: whatever moved on is left alone.
    const due = h.status === 'pending' && h.expiresAt !== null && c.now >= h.expiresAt
    return due ? [{ type: 'HitlExpired', data: { taskId: h.taskId, expiresAt: h.expiresAt } }] : []
  }
  mustBePending(h)
  return [{ type: 'HitlExpired', data: { taskId: h.taskId, expiresAt: h.expiresAt } }]
}

const cancel = (c: C.CancelHitlRequest, state: HitlState): Events => {
  const h = mustExist(state)
  if (h.status === 'cancelled') return []
  mustBePending(h)
  return [{ type: 'HitlCancelled', data: { taskId: h.taskId, reason: c.reason, cancelTask: c.cancelTask } }]
}

export function evolveHitl(state: HitlState, event: HitlEvent, meta: EventMeta): HitlState {
  if (event.type === 'HitlRequested') {
    const d = event.data
    return {
      exists: true,
      status: 'pending',
      raisedBy: meta.commandId,
      taskId: d.taskId,
      question: d.question,
      options: d.options === null ? null : [...d.options],
      expiresAt: d.expiresAt,
      response: null,
      respondedBy: null,
    }
  }
  if (!state.exists) return state
  switch (event.type) {
    case 'HitlResponded':
      return { ...state, status: 'answered', response: event.data.response, respondedBy: event.data.respondedBy }
    case 'HitlExpired':
      return { ...state, status: 'expired' }
    case 'HitlCancelled':
      return { ...state, status: 'cancelled' }
    default:
      return assertNever(event)
  }
}

/** pending → answered | expired | cancelled. */
export const decideHitl = (command: C.HitlCommand, state: HitlState): Events => {
  switch (command.type) {
    case 'RaiseHitlRequest':
      return raise(command, state)
    case 'RespondToHitlRequest':
      return respond(command, state)
    case 'ExpireHitlRequest':
      return expire(command, state)
    case 'CancelHitlRequest':
      return cancel(command, state)
    default:
      return assertNever(command)
  }
}

export const hitlDecider: Decider<HitlState, C.HitlCommand, HitlEvent> = {
  initialState: () => ({ exists: false }),
  decide: decideHitl,
  evolve: evolveHitl,
}
