import type { StoredEvent } from '../../events/envelope.ts'
import type { RowProjection } from '../projection.ts'

export type HitlRow = {
  id: string
  version: number
  status: string
  task_id: string | null
  agent_id: string | null
  project_id: string | null
  question: string
  options: string[] | null
  context: unknown
  expires_at: Date | null
  response: unknown
  responded_by: string | null
  responded_at: Date | null
  cancel_reason: string | null
  created_at: Date
  updated_at: Date
}

function project(row: HitlRow | undefined, event: StoredEvent): HitlRow | undefined {
  const at = new Date(event.meta.occurredAt)
  const touched = (r: HitlRow, changes: Partial<HitlRow>): HitlRow => ({ ...r, ...changes, version: event.meta.version, updated_at: at })
  switch (event.type) {
    case 'HitlRequested': {
      const d = event.data
      return {
        id: event.meta.aggregateId, version: event.meta.version, status: 'pending', task_id: d.taskId, agent_id: d.agentId,
        project_id: d.projectId, question: d.question, options: d.options === null ? null : [...d.options], context: JSON.parse(d.context),
        expires_at: d.expiresAt === null ? null : new Date(d.expiresAt), response: null, responded_by: null, responded_at: null,
        cancel_reason: null, created_at: at, updated_at: at,
      }
    }
    case 'HitlResponded':
      return row && touched(row, { status: 'answered', response: JSON.parse(event.data.response), responded_by: event.data.respondedBy, responded_at: at })
    case 'HitlExpired':
      return row && touched(row, { status: 'expired' })
    case 'HitlCancelled':
      return row && touched(row, { status: 'cancelled', cancel_reason: event.data.reason })
    default:
      return row
  }
}

export const hitlRequestsProjection: RowProjection<'hitl_requests', HitlRow> = {
  kind: 'row',
  name: 'hitl-requests',
  aggregates: ['hitl'],
  table: 'hitl_requests',
  key: 'id',
  jsonColumns: ['options', 'context', 'response'],
  keyOf: (e) => e.meta.aggregateId,
  project,
}
