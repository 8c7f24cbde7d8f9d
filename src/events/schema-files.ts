import { readdirSync, readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fullName, inlineNamedTypes, isRecord, type AvroRecord, type AvroType } from './avro-schema.ts'

export const defaultSchemasDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas')

export type EventSchema = Readonly<{
  /** aggregate type = the folder under schemas/, e.g. `task` */
  aggregate: string
  /** record name = event type, e.g. `TaskCreated` */
  name: string
  fullName: string
  /** self-contained schema (shared records inlined), as registered */
  schema: AvroRecord
}>

/** A record that is not an event (no meta, no aggregate), such as a dispatch record. */
export type RecordSchema = Readonly<{ folder: string; name: string; fullName: string; schema: AvroRecord }>

export type SchemaSet = Readonly<{
  shared: ReadonlyMap<string, AvroType>
  events: readonly EventSchema[]
  records?: readonly RecordSchema[]
}>

/** Folders of records that travel on non-event topics; they are not aggregates. */
export const recordFolders: ReadonlySet<string> = new Set(['dispatch'])

const readJson = (path: string): AvroType => JSON.parse(readFileSync(path, 'utf8')) as AvroType

/**
 * Loads schemas/: `shared/` holds named records used by events, the `recordFolders` hold
 * non-event records; every other folder is one aggregate type.
 */
export function loadSchemaSet(dir: string = defaultSchemasDir): SchemaSet {
  const shared = new Map<string, AvroType>()
  for (const file of readdirSync(join(dir, 'shared'))
    .filter((f) => f.endsWith('.avsc'))
    .sort()) {
    const t = readJson(join(dir, 'shared', file))
    if (isRecord(t) || (typeof t === 'object' && 'name' in t)) shared.set(fullName(t as AvroRecord), t)
  }
  const events: EventSchema[] = []
  const aggregates = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'shared' && !recordFolders.has(d.name))
    .map((d) => d.name)
    .sort()
  for (const aggregate of aggregates) {
    for (const file of readdirSync(join(dir, aggregate))
      .filter((f) => f.endsWith('.avsc'))
      .sort()) {
      const raw = readJson(join(dir, aggregate, file))
      if (!isRecord(raw)) throw new Error(`${aggregate}/${file}: an event schema must be a record`)
      if (`${raw.name}.avsc` !== file) throw new Error(`${aggregate}/${file}: file name must equal the record name ${raw.name}`)
      if (raw.fields[0]?.name !== 'meta') throw new Error(`${aggregate}/${file}: the first field must be meta: agentfleet.EventMeta`)
      events.push({ aggregate, name: raw.name, fullName: fullName(raw), schema: inlineNamedTypes(raw, shared) })
    }
  }
  const records: RecordSchema[] = []
  for (const folder of [...recordFolders].sort()) {
    let files: string[] = []
    try {
      files = readdirSync(join(dir, folder))
        .filter((f) => f.endsWith('.avsc'))
        .sort()
    } catch {
      continue
    }
    for (const file of files) {
      const raw = readJson(join(dir, folder, file))
      if (!isRecord(raw) || `${raw.name}.avsc` !== file) throw new Error(`${folder}/${file}: must be a record named like its file`)
      records.push({ folder, name: raw.name, fullName: fullName(raw), schema: inlineNamedTypes(raw, shared) })
    }
  }
  return { shared, events, records }
}
