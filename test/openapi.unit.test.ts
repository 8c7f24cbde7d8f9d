import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { createApp } from '../src/http/app.ts'
import { createLogger } from '../src/infra/logger.ts'

/** The document is generated from the zod schemas; building it needs no connection. */
const app = () => {
  const config = loadConfig({})
  const unused = {} as never
  return createApp({
    config,
    logger: createLogger({ logLevel: 'silent' }, 'test'),
    db: unused,
    redis: unused,
    kafka: unused,
    admin: unused,
    codec: unused,
    execute: unused,
    idempotency: unused,
    probes: unused,
  })
}

describe('OpenAPI 3.1 document', () => {
  it('is generated for every route group (a recursive schema would make it fail)', async () => {
    const res = await app().request('/openapi.json')
    expect(res.status).toBe(200)
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { tags?: string[] }>> }
    expect(doc.openapi).toBe('3.1.0')
    const tags = new Set(Object.values(doc.paths).flatMap((ops) => Object.values(ops).flatMap((o) => o.tags ?? [])))
    for (const tag of ['tasks', 'agents', 'pools', 'queue', 'dead-letters', 'hitl', 'projects', 'workflows', 'system', 'operations'])
      expect([...tags]).toContain(tag)
    // The operational routes outside /api/v1 are documented too.
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/health/ready']))
    expect(doc.paths['/health/ready']?.get).toMatchObject({ tags: ['operations'] })
  })
})
