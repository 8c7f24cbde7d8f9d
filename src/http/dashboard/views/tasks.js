import { get, has, post, query } from '../api.js'
import { byId, empty, errorText, fill, h, kv, pill, table, time, unavailable, upsertRow } from '../dom.js'
import { refetch } from './refetch.js'

const statuses = [
  'created',
  'waiting',
  'queued',
  'claimed',
  'running',
  'awaiting_input',
  'retry_scheduled',
  'completed',
  'failed',
  'cancelled',
  'dead_lettered',
]
const finished = new Set(['completed', 'failed', 'cancelled', 'dead_lettered'])
let filters = {}
let openId = ''

const progress = (t) => h('progress', { max: 100, value: t.progress, 'aria-label': `Progress of ${t.title}` }, `${t.progress} %`)

const columns = [
  { label: 'Title', cell: (t) => h('a', { href: `#tasks/${encodeURIComponent(t.id)}` }, t.title) },
  { label: 'Status', cell: (t) => pill(t.status) },
  { label: 'Pool', cell: (t) => t.pool },
  { label: 'Priority', cell: (t) => t.priority },
  { label: 'Progress', cell: progress },
  { label: 'Updated', cell: (t) => time(t.updatedAt) },
]
const key = (t) => t.id

/** The server filters; the title search is applied here too for servers without `q`. */
const matches = (t) =>
  (!filters.status || t.status === filters.status) &&
  (!filters.pool || t.pool === filters.pool) &&
  (!filters.priority || t.priority === filters.priority) &&
  (!filters.q || t.title.toLowerCase().includes(filters.q.toLowerCase()))

function history(items) {
  if (!items.length) return empty('No events yet.')
  return h(
    'ol',
    { class: 'history' },
    items.map((e) =>
      h(
        'li',
        {},
        h(
          'details',
          {},
          h('summary', {}, h('strong', {}, `v${e.version} ${e.type}`), ' ', time(e.occurredAt)),
          h('pre', {}, JSON.stringify(e.data, null, 2)),
        ),
      ),
    ),
  )
}

async function actions(t, ctx) {
  const act = (label, path) =>
    h(
      'button',
      {
        type: 'button',
        onclick: async () => {
          try {
            await post(path, {})
            ctx.notify('')
          } catch (error) {
            ctx.notify(`${label} failed: ${error.message}`)
          }
        },
      },
      label,
    )
  const id = encodeURIComponent(t.id)
  return h(
    'div',
    { class: 'actions' },
    finished.has(t.status) ? null : act('Cancel task', `/api/v1/tasks/${id}/cancel`),
    finished.has(t.status) && t.status !== 'completed' && has('post', '/api/v1/tasks/{id}/retry')
      ? act('Retry task', `/api/v1/tasks/${id}/retry`)
      : null,
  )
}

async function detail(id, ctx) {
  const section = byId('task-detail')
  section.hidden = !id
  if (!id) return
  const t = await get(`/api/v1/tasks/${encodeURIComponent(id)}`)
  const events = has('get', '/api/v1/tasks/{id}/events')
    ? history((await get(`/api/v1/tasks/${encodeURIComponent(id)}/events?minVersion=${t.version}&limit=500`)).items)
    : unavailable('Event history')
  byId('h-task-detail').textContent = t.title
  fill(
    byId('task-detail-body'),
    kv([
      ['Id', t.id],
      ['Status', pill(t.status)],
      ['Pool', t.pool],
      ['Priority', t.priority],
      ['Version', String(t.version)],
      ['Progress', [progress(t), ` ${t.progress} % `, t.progressMessage ?? '']],
      ['Created', time(t.createdAt)],
      ['Updated', time(t.updatedAt)],
      ['Cancel reason', t.cancelReason],
    ]),
    h('h4', {}, 'Payload'),
    h('pre', {}, JSON.stringify(t.payload, null, 2)),
    await actions(t, ctx),
    h('h4', {}, 'Event history'),
    events,
  )
}

function readForm(form) {
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]))
}

export default {
  id: 'tasks',
  init(ctx) {
    this.ctx = ctx
    const select = byId('task-filters').elements.status
    for (const s of statuses) select.append(h('option', { value: s }, s.replace(/_/g, ' ')))
    byId('task-filters').addEventListener('submit', (e) => {
      e.preventDefault()
      filters = readForm(e.target)
      void this.refresh(openId)
    })
    byId('create-task').addEventListener('submit', async (e) => {
      e.preventDefault()
      const out = byId('create-status')
      const f = readForm(e.target)
      let payload
      try {
        payload = JSON.parse(f.payload || '{}')
      } catch {
        out.textContent = 'The payload is not valid JSON.'
        return
      }
      try {
        const accepted = await post('/api/v1/tasks', { title: f.title, pool: f.pool, priority: f.priority, payload })
        fill(out, 'Created ', h('a', { href: `#tasks/${encodeURIComponent(accepted.id)}` }, accepted.id))
        e.target.elements.title.value = ''
        refetch(`/api/v1/tasks/${encodeURIComponent(accepted.id)}`, accepted.version, (t) => this.upsert(t, true))
      } catch (error) {
        fill(out, errorText(error))
      }
    })
  },
  upsert(t, insert) {
    if (!matches(t)) return
    if (!upsertRow(byId('tasks-table'), columns, t, key, insert)) fill(byId('tasks-table'), table('Tasks', columns, [t], key))
    if (t.id === openId) void detail(openId, this.ctx).catch(() => undefined)
  },
  async refresh(id = '') {
    openId = id
    const { items } = await get(`/api/v1/tasks${query({ ...filters, limit: 100 })}`)
    const shown = items.filter(matches)
    fill(byId('tasks-table'), shown.length ? table('Tasks', columns, shown, key) : empty('No tasks match.'))
    await detail(openId, this.ctx)
  },
  onEvent(e) {
    if (e.aggregateType !== 'task') return
    const tracked =
      e.type === 'TaskCreated' ||
      byId('tasks-table').querySelector(`tr[data-key="${CSS.escape(e.aggregateId)}"]`) ||
      e.aggregateId === openId
    if (tracked) refetch(`/api/v1/tasks/${encodeURIComponent(e.aggregateId)}`, e.version, (t) => this.upsert(t, e.type === 'TaskCreated'))
  },
}
