import { DomainError } from '../../errors.ts'
import type { EventMeta } from '../../events/envelope.ts'
import type { ProjectEvent } from '../../events/generated/event-types.ts'
import { assertNever, type Decider } from '../decider.ts'
import type * as C from './project.commands.ts'

export type ProjectState =
  | Readonly<{ exists: false }>
  | Readonly<{
      exists: true
      createdBy: string
      name: string
      description: string | null
      /** JSON text */
      metadata: string
      archived: boolean
    }>

type Existing = Extract<ProjectState, { exists: true }>
type Events = ProjectEvent[]

const refuse = (code: string, message: string): never => {
  throw new DomainError(code, message)
}

const mustExist = (state: ProjectState): Existing => (state.exists ? state : refuse('project.not-found', 'the project does not exist'))

const create = (c: C.CreateProject, state: ProjectState): Events => {
  if (state.exists) return state.createdBy === c.commandId ? [] : refuse('project.already-exists', 'a project with this id already exists')
  if (c.name.trim() === '') refuse('project.invalid-name', 'the name is empty')
  return [{ type: 'ProjectCreated', data: { name: c.name, description: c.description, metadata: JSON.stringify(c.metadata) } }]
}

const update = (c: C.UpdateProject, state: ProjectState): Events => {
  const p = mustExist(state)
  if (p.archived) refuse('project.archived', 'an archived project cannot change')
  const next = {
    name: c.name ?? p.name,
    description: c.description === undefined ? p.description : c.description,
    metadata: c.metadata === undefined ? p.metadata : JSON.stringify(c.metadata),
  }
  if (next.name.trim() === '') refuse('project.invalid-name', 'the name is empty')
  const unchanged = next.name === p.name && next.description === p.description && next.metadata === p.metadata
  return unchanged ? [] : [{ type: 'ProjectUpdated', data: next }]
}

const archive = (c: C.ArchiveProject, state: ProjectState): Events => {
  const p = mustExist(state)
  return p.archived ? [] : [{ type: 'ProjectArchived', data: { reason: c.reason } }]
}

export function evolveProject(state: ProjectState, event: ProjectEvent, meta: EventMeta): ProjectState {
  switch (event.type) {
    case 'ProjectCreated':
      return { exists: true, createdBy: meta.commandId, ...event.data, archived: false }
    case 'ProjectUpdated':
      return state.exists ? { ...state, ...event.data } : state
    case 'ProjectArchived':
      return state.exists ? { ...state, archived: true } : state
    default:
      return assertNever(event)
  }
}

export const decideProject = (command: C.ProjectCommand, state: ProjectState): Events => {
  switch (command.type) {
    case 'CreateProject':
      return create(command, state)
    case 'UpdateProject':
      return update(command, state)
    case 'ArchiveProject':
      return archive(command, state)
    default:
      return assertNever(command)
  }
}

/** active → archived; an update that changes nothing appends nothing. */
export const projectDecider: Decider<ProjectState, C.ProjectCommand, ProjectEvent> = {
  initialState: () => ({ exists: false }),
  decide: decideProject,
  evolve: evolveProject,
}
