import { get, has } from '../api.js'
import { byId, empty, fill, h, kv, num, pill, table, unavailable } from '../dom.js'

const byStatus = (counts) => (counts ? Object.entries(counts).map(([s, n]) => h('span', { class: 'count' }, pill(s), ` ${n}`)) : '—')

async function counts() {
  if (has('get', '/api/v1/system/status')) {
    const s = await get('/api/v1/system/status')
    return kv([
      ['Tasks', [`${num(s.tasks.total)} `, ...byStatus(s.tasks.byStatus)]],
      ['Agents', s.agents ? [`${num(s.agents.total)} `, ...byStatus(s.agents.byStatus)] : '—'],
      ['Pools', s.pools ? num(s.pools.count) : '—'],
      ['Pending HITL requests', s.hitl ? num(s.hitl.pending) : '—'],
    ])
  }
  // Without the system status endpoint, count what the list endpoints show (first page).
  const [pools, agents] = await Promise.all([get('/api/v1/pools?limit=200'), get('/api/v1/agents?limit=200')])
  const agentCounts = {}
  for (const a of agents.items) agentCounts[a.status] = (agentCounts[a.status] ?? 0) + 1
  return h(
    'div',
    {},
    kv([
      ['Pools', `${pools.items.length}${pools.next ? '+' : ''}`],
      ['Agents', [`${agents.items.length}${agents.next ? '+' : ''} `, ...byStatus(agentCounts)]],
    ]),
    unavailable('Task and HITL counts (system status)'),
  )
}

async function lag() {
  if (!has('get', '/api/v1/system/lag')) return unavailable('Consumer lag')
  const report = await get('/api/v1/system/lag')
  const rows = [
    ...report.projections.map((p) => ({ kind: 'projection', name: p.projection, lag: p.lag, problem: p.problem })),
    ...report.groups.map((g) => ({ kind: 'consumer group', name: g.group, lag: g.lag })),
  ]
  if (!rows.length) return empty('No consumers yet.')
  return table(
    'Consumer lag',
    [
      { label: 'Consumer', cell: (r) => r.name },
      { label: 'Kind', cell: (r) => r.kind },
      {
        label: 'Lag (events)',
        cell: (r) =>
          r.problem
            ? h('span', { class: 'error', title: r.problem }, 'past the log end')
            : h('span', { class: r.lag > 0 ? 'warn' : '' }, num(r.lag)),
      },
    ],
    rows,
    (r) => `${r.kind}:${r.name}`,
  )
}

async function deps() {
  const ready = await get('/health/ready', [503])
  const list = Object.entries(ready.dependencies).map(([name, d]) =>
    h(
      'li',
      {},
      pill(d.status),
      ` ${name} `,
      h('span', { class: 'muted' }, `${d.latencyMs} ms`),
      d.error ? h('span', { class: 'error' }, ` ${d.error}`) : null,
    ),
  )
  // Checks beyond the dependencies (event conflicts): why the API says degraded, and what to do.
  const failing = Object.entries(ready.checks ?? {}).filter(([, c]) => c.status !== 'ok')
  const checks = failing.map(([name, c]) =>
    h('li', {}, pill(c.status), ` ${name} `, h('span', { class: 'error' }, c.action ?? c.error ?? (c.count ? `${c.count}` : ''))),
  )
  return [h('p', {}, 'API ', pill(ready.status)), h('ul', { class: 'plain' }, [...list, ...checks])]
}

const settle = async (el, load) => {
  try {
    fill(el, await load())
  } catch (error) {
    fill(el, h('p', { class: 'error' }, error.message))
  }
}

export default {
  id: 'overview',
  refresh: () =>
    Promise.all([settle(byId('overview-deps'), deps), settle(byId('overview-counts'), counts), settle(byId('overview-lag'), lag)]),
}
