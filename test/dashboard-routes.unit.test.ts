import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { renderOpenApiDocs, schemaName } from '../src/http/docs/openapi-docs.ts'
import { loadDashboardAssets, registerDashboardRoutes } from '../src/http/routes/dashboard.routes.ts'
import { registerDocsRoutes } from '../src/http/routes/docs.routes.ts'

describe('dashboard files', () => {
  const app = new Hono()
  registerDashboardRoutes(app)

  it('serves the page and its modules with their content types, a CSP and revalidation', async () => {
    const page = await app.request('/')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('cache-control')).toBe('no-cache')
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await page.text()).toContain('<script type="module" src="/dashboard/app.js">')
    for (const [path, type] of [
      ['/dashboard/app.js', 'text/javascript'],
      ['/dashboard/views/tasks.js', 'text/javascript'],
      ['/dashboard/style.css', 'text/css'],
      ['/dashboard/event-types.json', 'application/json'],
    ] as const) {
      const res = await app.request(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type'), path).toContain(type)
    }
    expect(await (await app.request('/dashboard/event-types.json')).json()).toContain('TaskCreated')
  })

  it('answers 304 to a matching If-None-Match and 404 to an unknown file', async () => {
    const first = await app.request('/dashboard/app.js')
    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^"[\w-]+"$/)
    const again = await app.request('/dashboard/app.js', { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    expect((await app.request('/dashboard/../config.ts')).status).toBe(404)
    expect((await app.request('/dashboard/nope.js')).status).toBe(404)
  })

  it('never builds markup from strings with data in the browser code', () => {
    const scripts = [...loadDashboardAssets()].filter(([path]) => path.endsWith('.js'))
    expect(scripts.length).toBeGreaterThan(5)
    for (const [path, file] of scripts) expect(file.body, path).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/)
  })
})

describe('API reference page', () => {
  const doc = {
    info: { title: 'Demo <API>', version: '1' },
    paths: {
      '/api/v1/things': {
        post: {
          tags: ['things'],
          summary: 'Create a <thing>',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateThing' } } } },
          responses: {
            201: { description: 'created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          },
        },
        get: {
          tags: ['things'],
          summary: 'List things',
          parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer' }, description: 'page size' }],
          responses: {
            200: {
              description: 'ok',
              content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Thing' } } } },
            },
          },
        },
      },
      '/health': { get: { summary: 'Alive', responses: { 200: { description: 'ok' } } } },
    },
    components: {
      schemas: { Thing: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } }, CreateThing: { type: 'object' } },
    },
  }

  it('groups operations by tag with method, path, summary, parameters and schema names, escaping every value', () => {
    const html = renderOpenApiDocs(doc)
    expect(html).toContain('<h2 id="h-tag-things">things</h2>')
    expect(html).toContain('<h2 id="h-tag-other">other</h2>')
    expect(html).toContain('<span class="method method-post">POST</span> <code>/api/v1/things</code>')
    expect(html).toContain('Create a &#60;thing&#62;')
    expect(html).not.toContain('<thing>')
    expect(html).toContain('Demo &#60;API&#62;')
    expect(html).toContain('<code>limit</code></td><td>query</td>')
    expect(html).toContain('href="#schema-creatething"><code>CreateThing</code>')
    expect(html).toContain('<code>Thing[]</code>')
    expect(html).toContain('id="schema-thing"')
    expect(html).not.toMatch(/<script|https?:\/\/(?!127)/)
  })

  it('names schemas by reference, array, union, enum and type', () => {
    expect(schemaName({ $ref: '#/components/schemas/Task' })).toBe('Task')
    expect(schemaName({ type: 'array', items: { type: 'string' } })).toBe('string[]')
    expect(schemaName({ anyOf: [{ type: 'string' }, { type: 'null' }] })).toBe('string | null')
    expect(schemaName({ enum: ['a', 'b'] })).toBe('"a" | "b"')
    expect(schemaName({ type: 'string', format: 'date-time' })).toBe('string (date-time)')
    expect(schemaName(undefined)).toBe('—')
  })

  it("renders /docs from the app's own /openapi.json", async () => {
    const app = new Hono()
    app.get('/openapi.json', (c) => c.json(doc))
    registerDocsRoutes(app)
    const res = await app.request('/docs')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await res.text()).toContain('List things')
  })
})
