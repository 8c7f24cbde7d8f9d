import type { Selectable } from 'kysely'
import type { StoredEvent } from '../../events/envelope.ts'
import type { HitlRequestsTable } from '../../database/schema.ts'
import type { RowProjection } from '../projection.ts'

/** A row as the projection folds it: the table's select types. */
export type HitlRow = Selectable<HitlRequestsTable>

function project(row: HitlRow | undefined, event: StoredEvent): HitlRow | undefined {
  const at = new Date(event.meta.occurredAt)
  const touched = (r: HitlRow, changes: Partial<HitlRow>): HitlRow => ({ ...r, ...changes, version: event.meta.version, updated_at: at })
  switch (event.type) {
    case 'HitlRequested': {
      const d = event.data
      return {
        id: event.meta.aggregateId,
        version: event.meta.version,
        status: 'pending',
        task_id: d.taskId,
        agent_id: d.agentId,
        project_id: d.projectId,
        question: d.question,
        options: d.options === null ? null : [...d.options],
        // A request raised with a JSON null context is shown as an empty one (the column holds an object).
        context: JSON.parse(d.context) ?? {},
        expires_at: d.expiresAt === null ? null : new Date(d.expiresAt),
        response: null,
        responded_by: null,
        responded_at: null,
        cancel_reason: null,
        created_at: at,
        updated_at: at,
      }
    }
    case 'HitlResponded':
      return (
        row &&
        touched(row, {
          status: 'answered',
          response: JSON.parse(event.data.response),
          responded_by: event.data.respondedBy,
          responded_at: at,
        })
      )
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
  keyOf: (e) => e.meta.aggregateId,
  project,
}
