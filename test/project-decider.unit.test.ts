import { describe, it } from 'vitest'
import { projectDecider } from '../src/commands/project/project.decider.ts'
import type { ProjectEvent } from '../src/events/generated/event-types.ts'
import { specFor } from './support/decider-spec.ts'

const spec = specFor(projectDecider)
const create = (commandId = 'cmd-1', name = 'Apollo') => ({
  type: 'CreateProject' as const,
  commandId,
  name,
  description: 'moon',
  metadata: { team: 'x' },
})
const created: ProjectEvent = { type: 'ProjectCreated', data: { name: 'Apollo', description: 'moon', metadata: '{"team":"x"}' } }
const archived: ProjectEvent = { type: 'ProjectArchived', data: { reason: null } }

describe('project decider', () => {
  it('creates a project; a repeated create is a no-op, another one on the same id is refused', () => {
    spec.given([]).when(create()).then([created])
    spec
      .given([[created, { commandId: 'cmd-1' }]])
      .when(create())
      .then([])
    spec
      .given([[created, { commandId: 'cmd-1' }]])
      .when(create('cmd-2'))
      .thenThrows('project.already-exists')
    spec.given([]).when(create('cmd-1', ' ')).thenThrows('project.invalid-name')
  })
  it('updates only what is given and carries the whole new project', () => {
    spec
      .given([created])
      .when({ type: 'UpdateProject', description: null })
      .then([{ type: 'ProjectUpdated', data: { name: 'Apollo', description: null, metadata: '{"team":"x"}' } }])
    spec
      .given([created])
      .when({ type: 'UpdateProject', name: 'Artemis', metadata: {} })
      .then([{ type: 'ProjectUpdated', data: { name: 'Artemis', description: 'moon', metadata: '{}' } }])
  })
  it('an update that changes nothing appends nothing', () => {
    spec.given([created]).when({ type: 'UpdateProject', name: 'Apollo' }).then([])
  })
  it('archives once; an archived project cannot be updated; unknown projects are refused', () => {
    spec.given([created]).when({ type: 'ArchiveProject', reason: null }).then([archived])
    spec.given([created, archived]).when({ type: 'ArchiveProject', reason: null }).then([])
    spec.given([created, archived]).when({ type: 'UpdateProject', name: 'x' }).thenThrows('project.archived')
    spec.given([]).when({ type: 'UpdateProject', name: 'x' }).thenThrows('project.not-found')
    spec.given([]).when({ type: 'ArchiveProject', reason: null }).thenThrows('project.not-found')
  })
})
