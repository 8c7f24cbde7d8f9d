import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { createApp, type AppDeps } from '../src/http/app.ts'

describe('OpenAPI document', () => {
  it('is generated from the zod schemas and lists every task route', async () => {
    // Generating the document touches no dependency.
    const app = createApp({ config: loadConfig({}), logger: pino({ level: 'silent' }) } as unknown as AppDeps)
    const res = await app.request('/openapi.json')
    expect(res.status).toBe(200)
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> }
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/tasks',
        '/api/v1/tasks/{id}',
        '/api/v1/tasks/{id}/progress',
        '/api/v1/tasks/{id}/assign',
        '/api/v1/tasks/{id}/cancel',
        '/api/v1/tasks/{id}/retry',
        '/api/v1/tasks/{id}/dependencies',
        '/api/v1/tasks/{id}/dependencies/{depId}',
        '/api/v1/tasks/{id}/events',
        '/api/v1/tasks/{id}/attempts',
      ]),
    )
    expect(Object.keys(doc.paths['/api/v1/tasks']!)).toEqual(['post', 'get'])
  })
})
