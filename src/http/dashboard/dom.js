// DOM helpers: every piece of data enters the page as a text node or an attribute, never as markup.

/** h('td', { class: 'x' }, 'text', child) — strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) el.append(child instanceof Node ? child : String(child))
  }
  return el
}

export const byId = (id) => document.getElementById(id)

export const fill = (el, ...children) => el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false))

const token = (text) =>
  String(text)
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')

export const pill = (status) => h('span', { class: `pill pill-${token(status)}` }, String(status).replace(/_/g, ' '))

export const unavailable = (what) => h('p', { class: 'unavailable' }, `${what}: not available on this server yet.`)

export const empty = (text) => h('p', { class: 'muted' }, text)

export const errorText = (error) => h('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error))

export function ago(iso) {
  if (!iso) return '—'
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000)
  if (!Number.isFinite(s)) return String(iso)
  if (s < 60) return `${Math.max(s, 0)} s ago`
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86400) return `${Math.round(s / 3600)} h ago`
  return `${Math.round(s / 86400)} d ago`
}

export const time = (iso) => h('time', { datetime: iso ?? '', title: iso ?? '' }, ago(iso))

export const num = (n, digits = 0) =>
  n === null || n === undefined ? '—' : Number(n).toLocaleString('en', { maximumFractionDigits: digits })

export const ms = (n) => (n === null || n === undefined ? '—' : n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`)

/**
 * A table from columns [{ label, cell: (row) => Node|string }]; each row carries data-key so
 * live updates can replace it in place.
 */
export function table(caption, columns, rows, keyOf) {
  const head = h(
    'tr',
    {},
    columns.map((c) => h('th', { scope: 'col' }, c.label)),
  )
  const body = h(
    'tbody',
    {},
    rows.map((r) => row(columns, r, keyOf)),
  )
  return h('table', {}, h('caption', { class: 'sr-only' }, caption), h('thead', {}, head), body)
}

export const row = (columns, r, keyOf) =>
  h(
    'tr',
    { 'data-key': keyOf(r) },
    columns.map((c) => h('td', { 'data-label': c.label }, c.cell(r))),
  )

/** Replaces the row with the same key, or inserts it first; false when the table is missing. */
export function upsertRow(container, columns, r, keyOf, insert = true) {
  const tbody = container.querySelector('tbody')
  if (!tbody) return false
  const fresh = row(columns, r, keyOf)
  const old = [...tbody.rows].find((tr) => tr.dataset.key === keyOf(r))
  if (old) old.replaceWith(fresh)
  else if (insert) tbody.prepend(fresh)
  return true
}

export const kv = (pairs) =>
  h(
    'dl',
    { class: 'kv' },
    pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]),
  )
