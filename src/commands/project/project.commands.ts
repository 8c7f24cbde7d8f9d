export type CreateProject = Readonly<{
  type: 'CreateProject'
  commandId: string
  name: string
  description: string | null
  metadata: Readonly<Record<string, unknown>>
}>

/** Fields left undefined keep their value. */
export type UpdateProject = Readonly<{
  type: 'UpdateProject'
  name?: string
  description?: string | null
  metadata?: Readonly<Record<string, unknown>>
}>

export type ArchiveProject = Readonly<{ type: 'ArchiveProject'; reason: string | null }>

export type ProjectCommand = CreateProject | UpdateProject | ArchiveProject
