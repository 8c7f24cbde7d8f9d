import { get, has } from '../api.js'
import { bar, sampler, sparkline } from '../charts.js'
import { byId, empty, fill, h, ms, num, table, unavailable } from '../dom.js'

const samples = sampler(60)
let latest = null

async function sample() {
  latest = await get('/api/v1/queue/stats')
  for (const p of [{ pool: '(all)', stats: latest.totals }, ...latest.pools]) {
    samples.push(`${p.pool}:throughput`, p.stats.window.throughputPerMinute)
    samples.push(`${p.pool}:depth`, p.stats.depth)
  }
}

const pct = (rate) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`)

/** Percentile bars share one scale per pool, so p95 of one priority compares with another's. */
function priorities(rows) {
  const max = Math.max(1, ...rows.flatMap((r) => [r.stats.window.waitMs.p95, r.stats.window.execMs.p95].filter((v) => v !== null)))
  const figure = (label, v) => h('span', { class: 'figure' }, bar(v, max, `${label} ${ms(v)}`), ` ${label} ${ms(v)}`)
  return table(
    'Per priority',
    [
      { label: 'Priority', cell: (r) => r.priority },
      { label: 'Depth', cell: (r) => num(r.stats.depth) },
      { label: 'In flight', cell: (r) => num(r.stats.inFlight) },
      { label: 'Completed', cell: (r) => num(r.stats.completed) },
      { label: 'Failed', cell: (r) => num(r.stats.failed) },
      { label: 'Dead-lettered', cell: (r) => num(r.stats.deadLettered) },
      { label: 'Wait', cell: (r) => [figure('p50', r.stats.window.waitMs.p50), figure('p95', r.stats.window.waitMs.p95)] },
      { label: 'Exec', cell: (r) => [figure('avg', r.stats.window.execMs.avg), figure('p95', r.stats.window.execMs.p95)] },
      { label: 'Failure rate', cell: (r) => pct(r.stats.window.failureRate) },
      { label: 'Throughput/min', cell: (r) => num(r.stats.window.throughputPerMinute, 1) },
    ],
    rows,
    (r) => r.priority,
  )
}

async function card(pool, stats) {
  const detail = pool === '(all)' ? null : await get(`/api/v1/queue/stats/${encodeURIComponent(pool)}`)
  return h(
    'article',
    { class: 'card wide', 'data-key': pool },
    h('h3', {}, pool === '(all)' ? 'All pools' : pool),
    h(
      'div',
      { class: 'charts' },
      h(
        'figure',
        {},
        sparkline(samples.get(`${pool}:throughput`), `Throughput per minute, ${pool}`),
        h('figcaption', {}, `Throughput/min ${num(stats.window.throughputPerMinute, 1)}`),
      ),
      h(
        'figure',
        {},
        sparkline(samples.get(`${pool}:depth`), `Depth, ${pool}`),
        h('figcaption', {}, `Depth ${num(stats.depth)} · in flight ${num(stats.inFlight)}`),
      ),
    ),
    detail ? priorities(detail.priorities) : null,
  )
}

export default {
  id: 'queue',
  init() {
    if (!has('get', '/api/v1/queue/stats')) return
    const tick = async () => {
      try {
        await sample()
        if (!byId('view-queue').hidden) await this.render()
      } catch {
        /* the next sample retries */
      }
      setTimeout(tick, 5_000)
    }
    void tick()
  },
  async render() {
    if (!latest) return
    const pools = [{ pool: '(all)', stats: latest.totals }, ...latest.pools]
    fill(
      byId('queue-stats'),
      await Promise.all(pools.map((p) => card(p.pool, p.stats))),
      latest.pools.length ? null : empty('No pool has queue activity in this window.'),
    )
  },
  async refresh() {
    if (!has('get', '/api/v1/queue/stats')) return fill(byId('queue-stats'), unavailable('Queue statistics'))
    await sample()
    await this.render()
  },
}
