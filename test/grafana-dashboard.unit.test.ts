import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { metricsIn, type RegisteredMetrics, registeredMetrics } from './support/registered-metrics.ts'

type Target = { refId?: string; expr?: string; legendFormat?: string; datasource?: { type?: string; uid?: string } }
type Panel = {
  id?: number
  type?: string
  title?: string
  datasource?: { type?: string; uid?: string }
  targets?: Target[]
  panels?: Panel[]
  gridPos?: { h?: number; w?: number; x?: number; y?: number }
}
type Variable = { name?: string; type?: string; query?: string | { query?: string }; datasource?: { uid?: string } }
type Dashboard = { schemaVersion?: number; title?: string; uid?: string; panels?: Panel[]; templating?: { list?: Variable[] } }

const dashboardFile = 'deploy/grafana/agentfleet.json'
const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard
const registered = registeredMetrics()
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template
const datasourceVariable = '${datasource}'

// --- reading the dashboard -------------------------------------------------------------------------

/** Every panel, the panels of collapsed rows included. */
const allPanels = (d: Dashboard): Panel[] => (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])])
const queryPanels = (d: Dashboard): Panel[] => allPanels(d).filter((p) => p.type !== 'row')
const variables = (d: Dashboard): Variable[] => d.templating?.list ?? []
const variableQuery = (v: Variable): string => (typeof v.query === 'string' ? v.query : (v.query?.query ?? ''))

/** Every PromQL expression of the dashboard (panel targets and query variables), with where it is. */
const expressions = (d: Dashboard): { where: string; expr: string; legend?: string }[] => [
  ...queryPanels(d).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr ?? '', legend: t.legendFormat })),
  ),
  ...variables(d)
    .filter((v) => v.type === 'query')
    .map((v) => ({ where: `variable $${v.name}`, expr: variableQuery(v) })),
]

// --- a little PromQL -------------------------------------------------------------------------------

const labelsOf = (name: string): readonly string[] => registered.get(name)?.labels ?? []
const splitLabels = (list: string): string[] =>
  list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')

/** Index of the `)` closing the `(` at `open`. */
function closing(expr: string, open: number): number {
  let depth = 0
  for (let i = open; i < expr.length; i++) {
    if (expr[i] === '(') depth++
    else if (expr[i] === ')' && --depth === 0) return i
  }
  return expr.length
}

type Aggregation = { at: number; mode?: 'by' | 'without'; labels: string[]; argument: string }
const aggregationStart =
  /\b(?:sum|avg|min|max|count|group|stddev|stdvar|topk|bottomk|quantile|count_values)\s*(?:\b(by|without)\s*\(([^)]*)\)\s*)?\(/g

/** The aggregations of an expression, in order, with their grouping (`by (…)` before or after the argument). */
function aggregations(expr: string): Aggregation[] {
  return [...expr.matchAll(aggregationStart)].map((m) => {
    const open = m.index + m[0].length - 1
    const close = closing(expr, open)
    const argument = expr.slice(open + 1, close)
    if (m[1]) return { at: m.index, mode: m[1] as 'by' | 'without', labels: splitLabels(m[2]!), argument }
    const after = /^\s*(by|without)\s*\(([^)]*)\)/.exec(expr.slice(close + 1))
    if (after) return { at: m.index, mode: after[1] as 'by' | 'without', labels: splitLabels(after[2]!), argument }
    return { at: m.index, labels: [], argument }
  })
}

/** The labels a result series of the expression carries: those of its first (outermost) aggregation, else its metrics'. */
function outputLabels(expr: string): string[] {
  const names = metricsIn(expr)
  const all = [...new Set(names.flatMap(labelsOf))]
  const [first] = aggregations(expr)
  if (!first) return all
  if (first.mode === 'by') return first.labels
  if (first.mode === 'without') return all.filter((l) => !first.labels.includes(l))
  return []
}

// --- the checks: each returns its problems, so the self-checks below can show it fails ---------------

function panelProblems(d: Dashboard): string[] {
  const problems: string[] = []
  for (const p of allPanels(d)) {
    const name = `panel ${p.id} "${p.title ?? ''}"`
    if (typeof p.title !== 'string' || p.title.trim() === '') problems.push(`${name} has no title`)
    const g = p.gridPos
    if (!g || [g.h, g.w, g.x, g.y].some((n) => typeof n !== 'number') || g.x! + g.w! > 24) problems.push(`${name} has no valid gridPos`)
    if (p.type === 'row') continue
    if (!['timeseries', 'stat'].includes(p.type ?? '')) problems.push(`${name} is a ${p.type} panel, not timeseries or stat`)
    if (p.datasource?.uid !== datasourceVariable) problems.push(`${name} does not use the \${datasource} variable`)
    const targets = p.targets ?? []
    if (targets.length === 0) problems.push(`${name} has no target`)
    if (new Set(targets.map((t) => t.refId)).size !== targets.length) problems.push(`${name} repeats a refId`)
    for (const t of targets) {
      if (typeof t.expr !== 'string' || t.expr.trim() === '') problems.push(`${name} ${t.refId} has no expr`)
      if (t.datasource?.uid !== datasourceVariable) problems.push(`${name} ${t.refId} does not use the \${datasource} variable`)
    }
  }
  return problems
}

function idProblems(d: Dashboard): string[] {
  const ids = allPanels(d).map((p) => p.id)
  const problems = ids.filter((id) => typeof id !== 'number').map((id) => `panel id ${id} is not a number`)
  const seen = new Set<unknown>()
  for (const id of ids) {
    if (seen.has(id)) problems.push(`panel id ${id} is used twice`)
    seen.add(id)
  }
  return problems
}

function variableProblems(d: Dashboard): string[] {
  const problems: string[] = []
  const byName = new Map(variables(d).map((v) => [v.name, v]))
  const ds = byName.get('datasource')
  if (ds?.type !== 'datasource' || ds.query !== 'prometheus') problems.push('no Prometheus datasource variable named datasource')
  const pool = byName.get('pool')
  if (pool?.type !== 'query' || !/^label_values\(\s*agentfleet_[a-z0-9_]+\s*,\s*pool\s*\)$/.test(variableQuery(pool)))
    problems.push('no pool variable from label_values(agentfleet_…, pool)')
  if (pool && pool.datasource?.uid !== datasourceVariable)
    problems.push(`the pool variable does not use the ${datasourceVariable} variable`)
  return problems
}

/** Every `agentfleet_*` series named anywhere is one the code registers; every panel target names one. */
function metricProblems(d: Dashboard, known: RegisteredMetrics): string[] {
  const problems: string[] = []
  for (const { where, expr } of expressions(d)) {
    const names = metricsIn(expr)
    if (names.length === 0) problems.push(`${where}: names no agentfleet_ series`)
    for (const name of names) if (!known.has(name)) problems.push(`${where}: ${name} is not a registered metric`)
  }
  return problems
}

/** Labels in matchers, groupings, label_values(…) and legends are labels the metrics really have. */
function labelProblems(d: Dashboard, known: RegisteredMetrics): string[] {
  const problems: string[] = []
  const has = (name: string, label: string) => known.get(name)?.labels.includes(label) ?? false
  for (const { where, expr, legend } of expressions(d)) {
    // {…} matchers: only right after a metric name, each `label op "value"` ($pool-style values are fine)
    const braces = (expr.match(/\{/g) ?? []).length
    const selectors = [...expr.matchAll(/\b(agentfleet_[a-z0-9_]+)\s*\{([^}]*)\}/g)]
    if (selectors.length !== braces) problems.push(`${where}: a {…} matcher not right after an agentfleet_ metric`)
    for (const [, name, matchers] of selectors) {
      const matcher = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"/g
      for (const [, label] of matchers!.matchAll(matcher))
        if (!has(name!, label!)) problems.push(`${where}: ${name} has no label ${label} (matcher)`)
      if (matchers!.replace(matcher, '').replace(/[\s,]/g, '') !== '') problems.push(`${where}: cannot read the matchers {${matchers}}`)
    }
    // by (…) / without (…): every label is one of every metric aggregated
    const aggs = aggregations(expr)
    const grouped = aggs.filter((a) => a.mode !== undefined)
    if (grouped.length !== (expr.match(/\b(?:by|without)\s*\(/g) ?? []).length)
      problems.push(`${where}: a by/without grouping that belongs to no aggregation`)
    for (const a of grouped) {
      const names = metricsIn(a.argument)
      if (names.length === 0) problems.push(`${where}: ${a.mode} (${a.labels.join(', ')}) over no agentfleet_ series`)
      for (const label of a.labels)
        for (const name of names) if (!has(name, label)) problems.push(`${where}: ${name} has no label ${label} (${a.mode})`)
    }
    // label_values(metric, label)
    for (const [, name, label] of expr.matchAll(/label_values\(\s*(agentfleet_[a-z0-9_]+)[^,]*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)/g))
      if (!has(name!, label!)) problems.push(`${where}: ${name} has no label ${label} (label_values)`)
    // {{label}} in a legend: a label the result series carry
    const out = outputLabels(expr)
    for (const [, label] of (legend ?? '').matchAll(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g))
      if (!out.includes(label!)) problems.push(`${where}: legend {{${label}}} is not a label of the result (${out.join(', ') || 'none'})`)
  }
  return problems
}

/** The panels an operator needs first. */
function coverageProblems(d: Dashboard): string[] {
  const exprs = expressions(d).map((e) => e.expr)
  const named = new Set(exprs.flatMap(metricsIn))
  const problems = [
    ['queue depth', 'agentfleet_queue_depth'],
    ['open tasks', 'agentfleet_tasks'],
    ['projection lag', 'agentfleet_projection_lag_events'],
    ['consumer-group lag', 'agentfleet_consumer_group_lag'],
    ['event conflicts', 'agentfleet_event_conflicts'],
    ['dead letters', 'agentfleet_dlq_tasks'],
    ['command latency', 'agentfleet_command_duration_seconds_bucket'],
  ]
    .filter(([, metric]) => !named.has(metric!))
    .map(([what, metric]) => `no panel shows ${what} (${metric})`)
  if (!exprs.some((e) => /agentfleet_command_duration_seconds_bucket/.test(e) && /histogram_quantile\(\s*0\.99/.test(e)))
    problems.push('no command latency p99')
  if (!exprs.some((e) => /agentfleet_http_request_duration_seconds_count\{[^}]*\bstatus=~"5\.\."/.test(e)))
    problems.push('no HTTP 5xx panel')
  return problems
}

// --- the tests ---------------------------------------------------------------------------------------

describe(`Grafana dashboard (${dashboardFile})`, () => {
  it('is a Grafana dashboard with a datasource and a pool variable', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36)
    expect(dashboard.title).toBeTruthy()
    expect(dashboard.uid).toBeTruthy()
    expect(variableProblems(dashboard)).toEqual([])
  })

  it('every panel has a title and at least one target with an expr', () => {
    expect(queryPanels(dashboard).length).toBeGreaterThanOrEqual(10)
    expect(panelProblems(dashboard)).toEqual([])
  })

  it('panel ids are unique', () => {
    expect(idProblems(dashboard)).toEqual([])
  })

  it('names only metrics the code registers', () => {
    expect(metricProblems(dashboard, registered)).toEqual([])
  })

  it('uses only labels those metrics have', () => {
    expect(labelProblems(dashboard, registered)).toEqual([])
  })

  it('covers queue depth, open tasks, lag, conflicts, dead letters, command latency and HTTP errors', () => {
    expect(coverageProblems(dashboard)).toEqual([])
  })
})

describe('the dashboard checks catch', () => {
  const copy = (): Dashboard => structuredClone(dashboard)
  /** Rewrites the first target expr containing `from`; fails if none does, so a check never goes vacuous. */
  const editExpr = (d: Dashboard, from: string, to: string): Dashboard => {
    const t = queryPanels(d)
      .flatMap((p) => p.targets ?? [])
      .find((t) => t.expr?.includes(from))
    expect(t, `no expr contains ${from}`).toBeDefined()
    t!.expr = t!.expr!.replace(from, to)
    return d
  }

  it('a wrong metric name, in a panel or in a variable', () => {
    expect(metricProblems(editExpr(copy(), 'agentfleet_queue_depth', 'agentfleet_queue_dept'), registered)).toEqual([
      expect.stringContaining('agentfleet_queue_dept is not a registered metric'),
    ])
    expect(
      metricProblems(editExpr(copy(), 'agentfleet_command_duration_seconds_bucket', 'agentfleet_command_duration_bucket'), registered),
    ).not.toEqual([])
    const d = copy()
    const pool = variables(d).find((v) => v.name === 'pool')!
    pool.query = 'label_values(agentfleet_queue, pool)'
    expect(metricProblems(d, registered)).toEqual([expect.stringContaining('agentfleet_queue is not a registered metric')])
  })

  it('a label a metric lacks, in a matcher, a grouping, label_values or a legend', () => {
    expect(labelProblems(editExpr(copy(), 'pool=~"$pool"', 'poool=~"$pool"'), registered)).toEqual([
      expect.stringContaining('has no label poool (matcher)'),
    ])
    expect(
      labelProblems(
        editExpr(copy(), 'max by (group) (agentfleet_consumer_group_lag)', 'max by (pool) (agentfleet_consumer_group_lag)'),
        registered,
      ),
    ).toContainEqual(expect.stringContaining('agentfleet_consumer_group_lag has no label pool (by)'))
    expect(
      labelProblems(
        editExpr(copy(), 'max by (group) (agentfleet_event_conflicts)', 'max(agentfleet_event_conflicts) by (pool)'),
        registered,
      ),
    ).toContainEqual(expect.stringContaining('agentfleet_event_conflicts has no label pool (by)'))
    expect(
      labelProblems(editExpr(copy(), 'sum(agentfleet_stream_clients)', 'sum without (instance) (agentfleet_stream_clients)'), registered),
    ).toContainEqual(expect.stringContaining('agentfleet_stream_clients has no label instance (without)'))
    expect(
      labelProblems(
        editExpr(copy(), 'sum by (outcome) (rate(agentfleet_commands_total', 'sum by (le) (rate(agentfleet_commands_total'),
        registered,
      ),
    ).toContainEqual(expect.stringContaining('agentfleet_commands_total has no label le (by)'))
    expect(
      labelProblems(
        editExpr(
          copy(),
          'sum by (le) (rate(agentfleet_command_duration_seconds_bucket',
          'sum by (le, pool) (rate(agentfleet_command_duration_seconds_bucket',
        ),
        registered,
      ),
    ).toContainEqual(expect.stringContaining('agentfleet_command_duration_seconds_bucket has no label pool (by)'))
    const d = copy()
    variables(d).find((v) => v.name === 'pool')!.query = 'label_values(agentfleet_consumer_group_lag, pool)'
    expect(labelProblems(d, registered)).toEqual([expect.stringContaining('has no label pool (label_values)')])
    const legend = copy()
    queryPanels(legend).find((p) => p.title === 'Command rate by outcome')!.targets![0]!.legendFormat = '{{aggregate}}'
    expect(labelProblems(legend, registered)).toEqual([expect.stringContaining('legend {{aggregate}} is not a label of the result')])
  })

  it('a panel without title, target or expr, and a repeated id', () => {
    const untitled = copy()
    queryPanels(untitled)[0]!.title = ''
    expect(panelProblems(untitled)).toEqual([expect.stringContaining('has no title')])
    const noTargets = copy()
    queryPanels(noTargets)[1]!.targets = []
    expect(panelProblems(noTargets)).toEqual([expect.stringContaining('has no target')])
    const noExpr = copy()
    delete queryPanels(noExpr)[2]!.targets![0]!.expr
    expect(panelProblems(noExpr)).toEqual([expect.stringContaining('has no expr')])
    const twice = copy()
    queryPanels(twice)[3]!.id = queryPanels(twice)[4]!.id
    expect(idProblems(twice)).toEqual([expect.stringContaining('is used twice')])
  })

  it('a missing panel the coverage asks for', () => {
    const d = copy()
    for (const p of queryPanels(d)) p.targets = (p.targets ?? []).filter((t) => !t.expr?.includes('agentfleet_event_conflicts'))
    expect(coverageProblems(d)).toEqual([expect.stringContaining('event conflicts')])
    const no5xx = copy()
    for (const t of queryPanels(no5xx).flatMap((p) => p.targets ?? [])) t.expr = t.expr?.replaceAll('status=~"5.."', 'status=~"4.."')
    expect(coverageProblems(no5xx)).toEqual(['no HTTP 5xx panel'])
  })
})
