import { readFileSync } from 'node:fs'
import avro from 'avsc'
import { describe, expect, it } from 'vitest'
import { generateEventTypes } from '../src/events/codegen.ts'
import { generatedTypesPath } from '../src/events/generated-path.ts'
import { loadSchemaSet } from '../src/events/schema-files.ts'

describe('event schemas and generated types', () => {
  const set = loadSchemaSet()

  it('generated TypeScript types are up to date with schemas/ (run `npm run codegen`)', () => {
    expect(readFileSync(generatedTypesPath, 'utf8')).toBe(generateEventTypes(set))
  })

  it('every event schema parses as Avro, is self-contained and starts with meta: EventMeta', () => {
    expect(set.events.length).toBeGreaterThan(0)
    for (const e of set.events) {
      const type = avro.Type.forSchema(e.schema as avro.Schema)
      expect(type.name).toBe(e.fullName)
      const meta = e.schema.fields[0]!.type as { name: string }
      expect(meta.name).toBe('EventMeta')
    }
  })

  it('every optional field has a default, so adding it stays BACKWARD compatible', () => {
    for (const e of set.events) {
      for (const f of e.schema.fields) {
        if (Array.isArray(f.type) && f.type[0] === 'null') expect(f, `${e.name}.${f.name}`).toHaveProperty('default', null)
      }
    }
  })
})
