import { get } from '../api.js'
import { byId, empty, fill, pill, table, time, upsertRow } from '../dom.js'
import { refetch } from './refetch.js'

const columns = [
  { label: 'Name', cell: (a) => a.name },
  { label: 'Pool', cell: (a) => a.pool ?? '—' },
  { label: 'Role', cell: (a) => a.role },
  { label: 'Status', cell: (a) => pill(a.status) },
  { label: 'Health', cell: (a) => pill(a.healthy ? 'healthy' : 'unhealthy') },
  { label: 'Last heartbeat', cell: (a) => time(a.lastHeartbeatAt) },
  { label: 'Origin', cell: (a) => a.origin },
  { label: 'Id', cell: (a) => a.id },
]
const key = (a) => a.id

export default {
  id: 'agents',
  async refresh() {
    const { items } = await get('/api/v1/agents?limit=200')
    fill(byId('agents-table'), items.length ? table('Agents', columns, items, key) : empty('No agents registered.'))
  },
  onEvent(e) {
    if (e.aggregateType !== 'agent') return
    refetch(`/api/v1/agents/${encodeURIComponent(e.aggregateId)}`, e.version, (a) => {
      if (!upsertRow(byId('agents-table'), columns, a, key)) fill(byId('agents-table'), table('Agents', columns, [a], key))
    })
  },
}
