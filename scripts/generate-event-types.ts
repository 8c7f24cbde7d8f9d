// Writes src/events/generated/event-types.ts from schemas/*.avsc.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { generateEventTypes } from '../src/events/codegen.ts'
import { generatedTypesPath } from '../src/events/generated-path.ts'
import { loadSchemaSet } from '../src/events/schema-files.ts'

mkdirSync(dirname(generatedTypesPath), { recursive: true })
writeFileSync(generatedTypesPath, generateEventTypes(loadSchemaSet()))
console.log(`wrote ${generatedTypesPath}`)
