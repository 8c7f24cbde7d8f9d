import { get, has } from '../api.js'
import { byId, empty, fill, h, kv, num, pill, table, time, unavailable } from '../dom.js'

const dispatchLag = (report, pool) => {
  if (!report) return 'not available'
  let lag = 0
  let seen = false
  for (const g of report.groups)
    for (const p of g.partitions)
      if (p.topic.includes(`.dispatch.${pool}.`)) {
        lag += p.lag
        seen = true
      }
  return seen ? num(lag) : 'no dispatch consumer yet'
}

// Scaling decisions seen on the live stream since the page opened, newest first.
const decisions = new Map()

function scaling(last) {
  if (!last || typeof last !== 'object') return 'no scaling decision yet'
  const s = last
  return h(
    'span',
    {},
    `${num(s.fromWorkers)} → ${num(s.toWorkers)} workers`,
    s.reason ? ` (${s.reason})` : '',
    s.lag !== undefined ? `, lag ${num(s.lag)}` : '',
    (s.at ?? s.occurredAt) ? [' ', time(s.at ?? s.occurredAt)] : '',
  )
}

function workersTable(items) {
  if (!items.length) return empty('No worker processes reported.')
  return table(
    'Workers',
    [
      { label: 'Worker', cell: (w) => w.workerId },
      { label: 'Host / pid', cell: (w) => `${w.host} / ${w.pid ?? '—'}` },
      { label: 'Status', cell: (w) => pill(w.status) },
      { label: 'In flight', cell: (w) => num(w.inFlight) },
      { label: 'Lag', cell: (w) => num(w.lag) },
      { label: 'Last seen', cell: (w) => time(w.lastSeenAt) },
    ],
    items,
    (w) => w.workerId,
  )
}

async function card(pool, lagReport) {
  const name = encodeURIComponent(pool.name)
  const [stats, workers] = await Promise.all([
    get(`/api/v1/pools/${name}/stats`),
    has('get', '/api/v1/pools/{name}/workers') ? get(`/api/v1/pools/${name}/workers`) : null,
  ])
  const lag = dispatchLag(lagReport, pool.name)
  return h(
    'article',
    { class: 'card', 'data-key': pool.name },
    h('h3', {}, pool.name, ' ', pill(pool.status), pool.health === 'degraded' ? [' ', pill('degraded')] : null),
    kv([
      ['Mode', pool.mode === 'pull' ? 'pull (agents claim over HTTP)' : 'workers (its worker group runs the tasks)'],
      ['Role / handler', `${pool.role} / ${pool.handler}`],
      ...(pool.health === 'degraded'
        ? [['Degraded', `${pool.degradedReason} (since ${new Date(pool.degradedAt).toLocaleTimeString()})`]]
        : []),
      ['Workers', `${num(stats.workers.running)} running of ${num(stats.workers.desired)} desired (${pool.minWorkers}–${pool.maxWorkers})`],
      ['Agents', `${num(stats.agents.total)}`],
      ['Active tasks', `${num(stats.tasks.active)} of ${num(stats.tasks.total)}`],
      ['Dispatch lag', lag],
      ['Last scaling', scaling(stats.lastScaling)],
    ]),
    decisions.has(pool.name)
      ? [
          h('h4', {}, 'Scaling decisions (live)'),
          h(
            'ul',
            { class: 'plain' },
            decisions.get(pool.name).map((d) => h('li', {}, scaling(d))),
          ),
        ]
      : null,
    h('h4', {}, 'Worker processes'),
    workers ? workersTable(workers.items ?? []) : unavailable('Worker list'),
  )
}

export default {
  id: 'pools',
  async refresh() {
    const [{ items }, lagReport] = await Promise.all([
      get('/api/v1/pools?limit=200'),
      has('get', '/api/v1/system/lag') ? get('/api/v1/system/lag') : null,
    ])
    if (!items.length) return fill(byId('pools-list'), empty('No pools yet.'))
    fill(byId('pools-list'), await Promise.all(items.map((p) => card(p, lagReport))))
  },
  onEvent(e) {
    if (e.type === 'PoolScaled')
      decisions.set(e.aggregateId, [{ ...e.data, at: e.occurredAt }, ...(decisions.get(e.aggregateId) ?? [])].slice(0, 5))
    if (e.aggregateType === 'pool' && !byId('view-pools').hidden) void this.refresh()
  },
}
