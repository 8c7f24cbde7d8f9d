import { renderOpenApiDocs, type OpenApiDocument } from '../docs/openapi-docs.ts'
import { pageSecurityHeaders } from './dashboard.routes.ts'
import type { AnyHono } from '../any-hono.ts'

/**
 * `/docs`: the API reference rendered from the app's own `/openapi.json`, so it can never
 * disagree with it. Routes are fixed once the app is built: the page is rendered once.
 */
export function registerDocsRoutes(app: AnyHono): void {
  let page: Promise<string> | undefined
  const render = async () => renderOpenApiDocs((await (await app.request('/openapi.json')).json()) as OpenApiDocument)
  app.get('/docs', async (c) => {
    page ??= render()
    const rendering = page
    const html = await rendering.catch((error: unknown) => {
      page = undefined
      throw error
    })
    return c.body(html, 200, { ...pageSecurityHeaders, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' })
  })
}
