import { fileURLToPath } from 'node:url'

export const generatedTypesPath = fileURLToPath(new URL('./generated/event-types.ts', import.meta.url))
