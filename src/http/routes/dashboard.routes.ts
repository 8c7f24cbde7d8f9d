import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Context } from 'hono'
import { AppError } from '../../errors.ts'
import { eventTypesByAggregate } from '../../events/generated/event-types.ts'
import { problemResponse } from '../problem-details.ts'
import type { AnyHono } from '../any-hono.ts'

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/** No inline script or style, no third-party origin: rendering data can never run code. */
export const pageSecurityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

export type StaticAsset = Readonly<{ body: string; type: string; etag: string }>

const asset = (body: string, type: string): StaticAsset => ({
  body,
  type,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
})

/** Reads the dashboard once: its files are part of the release and never change at runtime. */
export function loadDashboardAssets(dir = fileURLToPath(new URL('../dashboard/', import.meta.url))): ReadonlyMap<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>()
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const type = contentTypes[extname(entry.name)]
    if (!entry.isFile() || !type) continue
    const full = join(entry.parentPath, entry.name)
    assets.set(full.slice(dir.length).split('\\').join('/'), asset(readFileSync(full, 'utf8'), type))
  }
  // The browser listens for each event type by name (SSE `event:` field).
  assets.set('event-types.json', asset(JSON.stringify(Object.values(eventTypesByAggregate).flat()), contentTypes['.json']!))
  return assets
}

/**
 * Unversioned URLs (ES modules import each other by name), so every response is revalidated:
 * `no-cache` with a strong ETag costs a 304 and never serves a stale module next to a fresh one.
 */
export function sendAsset(c: Context, file: StaticAsset): Response {
  const headers = { ...pageSecurityHeaders, 'content-type': file.type, 'cache-control': 'no-cache', etag: file.etag }
  if (
    c.req
      .header('if-none-match')
      ?.split(/\s*,\s*/)
      .includes(file.etag)
  )
    return c.body(null, 304, headers)
  return c.body(file.body, 200, headers)
}

/** The web dashboard: `/` and its static files under `/dashboard/`. */
export function registerDashboardRoutes(app: AnyHono, assets = loadDashboardAssets()): void {
  app.get('/', (c) => sendAsset(c, assets.get('index.html')!))
  app.get('/dashboard/*', (c) => {
    const file = assets.get(c.req.path.slice('/dashboard/'.length))
    return file ? sendAsset(c, file) : problemResponse(c, new AppError('route.not-found', `no dashboard file ${c.req.path}`))
  })
}
