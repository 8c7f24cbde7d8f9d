import { get, has, post } from '../api.js'
import { byId, empty, errorText, fill, h, table, time, unavailable } from '../dom.js'

// Requeued here but possibly still listed by a read model that has not caught up yet.
const requeued = new Set()

export default {
  id: 'dead-letters',
  async refresh() {
    const el = byId('dead-letters-table')
    if (!has('get', '/api/v1/dead-letters')) return fill(el, unavailable('Dead letters'))
    const listed = (await get('/api/v1/dead-letters?limit=100')).items
    for (const id of requeued) if (!listed.some((d) => d.id === id)) requeued.delete(id)
    const items = listed.filter((d) => !requeued.has(d.id))
    const requeue = async (d, button) => {
      button.disabled = true
      try {
        await post(`/api/v1/dead-letters/${encodeURIComponent(d.id)}/requeue`, {})
        requeued.add(d.id)
        el.querySelector(`tr[data-key="${CSS.escape(d.id)}"]`)?.remove()
      } catch (error) {
        button.disabled = false
        button.after(errorText(error))
      }
    }
    fill(
      el,
      items.length
        ? table(
            'Dead letters',
            [
              { label: 'Title', cell: (d) => h('a', { href: `#tasks/${encodeURIComponent(d.id)}` }, d.title) },
              { label: 'Pool', cell: (d) => d.pool },
              { label: 'Priority', cell: (d) => d.priority },
              { label: 'Attempts', cell: (d) => `${d.attempts} / ${d.maxAttempts}` },
              { label: 'Last error', cell: (d) => d.lastError ?? '—' },
              { label: 'Dead-lettered', cell: (d) => time(d.deadLetteredAt) },
              {
                label: 'Action',
                cell: (d) => h('button', { type: 'button', onclick: (e) => requeue(d, e.currentTarget) }, `Requeue ${d.title}`),
              },
            ],
            items,
            (d) => d.id,
          )
        : empty('No dead letters.'),
    )
  },
  onEvent(e) {
    if ((e.type === 'TaskDeadLettered' || e.type === 'TaskQueued') && !byId('view-dead-letters').hidden) void this.refresh()
  },
}
