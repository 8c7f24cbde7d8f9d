import type { StoredEvent } from '../../events/envelope.ts'
import type { RowProjection } from '../projection.ts'

export type ProjectRow = {
  id: string
  version: number
  name: string
  description: string | null
  metadata: unknown
  status: 'active' | 'archived'
  archive_reason: string | null
  created_at: Date
  updated_at: Date
}

function project(row: ProjectRow | undefined, event: StoredEvent): ProjectRow | undefined {
  const at = new Date(event.meta.occurredAt)
  switch (event.type) {
    case 'ProjectCreated':
      return {
        id: event.meta.aggregateId,
        version: event.meta.version,
        name: event.data.name,
        description: event.data.description,
        metadata: JSON.parse(event.data.metadata),
        status: 'active',
        archive_reason: null,
        created_at: at,
        updated_at: at,
      }
    case 'ProjectUpdated':
      return (
        row && {
          ...row,
          name: event.data.name,
          description: event.data.description,
          metadata: JSON.parse(event.data.metadata),
          version: event.meta.version,
          updated_at: at,
        }
      )
    case 'ProjectArchived':
      return row && { ...row, status: 'archived', archive_reason: event.data.reason, version: event.meta.version, updated_at: at }
    default:
      return row
  }
}

export const projectsProjection: RowProjection<'projects', ProjectRow> = {
  kind: 'row',
  name: 'projects',
  aggregates: ['project'],
  table: 'projects',
  key: 'id',
  keyOf: (e) => e.meta.aggregateId,
  project,
}
