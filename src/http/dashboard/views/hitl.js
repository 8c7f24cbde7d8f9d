import { get, has, post } from '../api.js'
import { byId, empty, errorText, fill, h, kv, time, unavailable } from '../dom.js'

/** The text field takes JSON; anything that does not parse is sent as a plain string. */
const parseAnswer = (text) => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function card(r, respond) {
  const id = `answer-${r.id}`
  const status = h('output', { class: 'status-line', 'aria-live': 'polite' })
  const field = h('textarea', { id, rows: 2 })
  const send = (response) => respond(r, response, status)
  const context = typeof r.context === 'string' ? r.context : JSON.stringify(r.context ?? {}, null, 2)
  return h(
    'article',
    { class: 'card', 'data-key': r.id },
    h('h3', {}, r.question),
    kv([
      ['Task', r.taskId ? h('a', { href: `#tasks/${encodeURIComponent(r.taskId)}` }, r.taskId) : '—'],
      ['Agent', r.agentId],
      ['Project', r.projectId],
      ['Asked', time(r.createdAt)],
      ['Expires', r.expiresAt ? time(new Date(r.expiresAt).toISOString()) : 'never'],
    ]),
    h('details', {}, h('summary', {}, 'Context'), h('pre', {}, context)),
    Array.isArray(r.options) && r.options.length
      ? h(
          'div',
          { class: 'actions', role: 'group', 'aria-label': 'Answers' },
          r.options.map((o) => h('button', { type: 'button', onclick: () => send(o) }, o)),
        )
      : null,
    h(
      'form',
      {
        class: 'form',
        onsubmit: (e) => {
          e.preventDefault()
          send(parseAnswer(field.value))
        },
      },
      h('label', { for: id, class: 'wide' }, 'Answer (JSON or text)'),
      field,
      h('button', { type: 'submit' }, 'Send answer'),
    ),
    status,
  )
}

// Answered here but possibly still pending in a read model that has not caught up yet.
const answered = new Set()

export default {
  id: 'hitl',
  async refresh() {
    const list = byId('hitl-list')
    if (!has('get', '/api/v1/hitl')) return fill(list, unavailable('Human-in-the-loop inbox'))
    const pending = (await get('/api/v1/hitl?status=pending')).items
    for (const id of answered) if (!pending.some((r) => r.id === id)) answered.delete(id)
    const items = pending.filter((r) => !answered.has(r.id))
    const respond = async (r, response, status) => {
      try {
        await post(`/api/v1/hitl/${encodeURIComponent(r.id)}/respond`, {
          response,
          respondedBy: byId('responder').value.trim() || 'operator',
        })
        answered.add(r.id)
        list.querySelector(`[data-key="${CSS.escape(r.id)}"]`)?.remove()
        if (!list.children.length) fill(list, empty('No pending requests.'))
      } catch (error) {
        fill(status, errorText(error))
      }
    }
    // Cards already shown stay as they are, so a refresh never wipes an answer being typed.
    const shown = new Map([...list.querySelectorAll('article[data-key]')].map((el) => [el.dataset.key, el]))
    fill(list, items.length ? items.map((r) => shown.get(r.id) ?? card(r, respond)) : empty('No pending requests.'))
  },
  onEvent(e) {
    if ((e.aggregateType === 'hitl' || e.type === 'TaskInputRequested') && !byId('view-hitl').hidden) void this.refresh()
  },
}
