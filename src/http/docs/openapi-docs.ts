/**
 * Renders an OpenAPI 3.1 document as one self-contained HTML page: operations grouped by tag
 * with parameters and schema names, then the named schemas. Every value is escaped.
 */
type Schema = {
  $ref?: string
  type?: string | string[]
  items?: Schema
  anyOf?: Schema[]
  oneOf?: Schema[]
  enum?: unknown[]
  properties?: Record<string, Schema>
  required?: string[]
  description?: string
  format?: string
}
type Content = Record<string, { schema?: Schema }>
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema }
type Operation = {
  tags?: string[]
  summary?: string
  description?: string
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content?: Content }
  responses?: Record<string, { description?: string; content?: Content }>
}
export type OpenApiDocument = {
  info?: { title?: string; version?: string }
  paths?: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, Schema> }
}

const methods = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options']

export const escapeHtml = (text: unknown): string => String(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)

const anchor = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')

/** A schema's short name: its component name, `Name[]`, a union, or its JSON type. */
export function schemaName(s: Schema | undefined): string {
  if (!s) return '—'
  if (s.$ref) return s.$ref.split('/').pop() ?? s.$ref
  const union = s.anyOf ?? s.oneOf
  if (union) return union.map(schemaName).join(' | ')
  if (s.type === 'array') return `${schemaName(s.items)}[]`
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ')
  const type = Array.isArray(s.type) ? s.type.join(' | ') : s.type
  return type ? `${type}${s.format ? ` (${s.format})` : ''}` : 'any'
}

const schemaLink = (s: Schema | undefined) => {
  const name = escapeHtml(schemaName(s))
  return s?.$ref ? `<a href="#schema-${anchor(schemaName(s))}"><code>${name}</code></a>` : `<code>${name}</code>`
}

const contentCells = (content: Content | undefined) =>
  content
    ? Object.entries(content)
        .map(([type, c]) => `${schemaLink(c.schema)} <span class="muted">${escapeHtml(type)}</span>`)
        .join('<br>')
    : '<span class="muted">no body</span>'

function renderParameters(params: Parameter[] | undefined): string {
  if (!params?.length) return ''
  const rows = params.map(
    (p) =>
      `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${schemaLink(p.schema)}</td><td>${p.required ? 'yes' : 'no'}</td><td>${escapeHtml(p.description ?? p.schema?.description ?? '')}</td></tr>`,
  )
  return `<table><caption>Parameters</caption><thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

function renderOperation(method: string, path: string, op: Operation): string {
  const body = op.requestBody
    ? `<p>Request body${op.requestBody.required ? '' : ' (optional)'}: ${contentCells(op.requestBody.content)}</p>`
    : ''
  const responses = Object.entries(op.responses ?? {}).map(
    ([status, r]) =>
      `<tr><td>${escapeHtml(status)}</td><td>${escapeHtml(r.description ?? '')}</td><td>${contentCells(r.content)}</td></tr>`,
  )
  return (
    `<article class="op" id="op-${anchor(`${method} ${path}`)}"><h3><span class="method method-${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>` +
    `<p>${escapeHtml(op.summary ?? '')}</p>${op.description ? `<p class="muted">${escapeHtml(op.description)}</p>` : ''}${renderParameters(op.parameters)}${body}` +
    `<table><caption>Responses</caption><thead><tr><th scope="col">Status</th><th scope="col">Description</th><th scope="col">Body</th></tr></thead><tbody>${responses.join('')}</tbody></table></article>`
  )
}

function renderSchema(name: string, s: Schema): string {
  const required = new Set(s.required ?? [])
  const props = Object.entries(s.properties ?? {}).map(
    ([p, ps]) =>
      `<tr><td><code>${escapeHtml(p)}</code></td><td>${schemaLink(ps)}</td><td>${required.has(p) ? 'yes' : 'no'}</td><td>${escapeHtml(ps.description ?? '')}</td></tr>`,
  )
  const table = props.length
    ? `<table><thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Description</th></tr></thead><tbody>${props.join('')}</tbody></table>`
    : `<p>${schemaLink({ ...s, $ref: undefined })}</p>`
  return `<section class="schema" id="schema-${anchor(name)}"><h3><code>${escapeHtml(name)}</code></h3>${s.description ? `<p>${escapeHtml(s.description)}</p>` : ''}${table}</section>`
}

export function renderOpenApiDocs(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>()
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of methods) {
      const op = item[method]
      if (!op) continue
      const tag = op.tags?.[0] ?? 'other'
      byTag.set(tag, [...(byTag.get(tag) ?? []), renderOperation(method, path, op)])
    }
  }
  const tags = [...byTag.keys()].sort()
  const schemas = Object.entries(doc.components?.schemas ?? {}).sort(([a], [b]) => a.localeCompare(b))
  const title = escapeHtml(doc.info?.title ?? 'API')
  const nav =
    tags.map((t) => `<li><a href="#tag-${anchor(t)}">${escapeHtml(t)}</a></li>`).join('') +
    (schemas.length ? '<li><a href="#schemas">schemas</a></li>' : '')
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${title} — reference</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/dashboard/style.css"></head>` +
    `<body class="docs"><header class="top"><h1>${title} <span class="muted">v${escapeHtml(doc.info?.version ?? '')}</span></h1>` +
    `<nav aria-label="Sections"><ul>${nav}</ul></nav><a href="/">Dashboard</a> <a href="/openapi.json">openapi.json</a></header><main>` +
    tags
      .map(
        (t) =>
          `<section id="tag-${anchor(t)}" aria-labelledby="h-tag-${anchor(t)}"><h2 id="h-tag-${anchor(t)}">${escapeHtml(t)}</h2>${byTag.get(t)!.join('')}</section>`,
      )
      .join('') +
    (schemas.length ? `<section id="schemas"><h2>Schemas</h2>${schemas.map(([n, s]) => renderSchema(n, s)).join('')}</section>` : '') +
    `</main></body></html>`
  )
}
