import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { metricsIn, registeredMetrics } from './support/registered-metrics.ts'

type Rule = { alert?: string; expr?: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
const rulesFile = 'deploy/prometheus/agentfleet-alerts.yml'
const rules: Rule[] = (parse(readFileSync(rulesFile, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
)

describe(`alert rules (${rulesFile})`, () => {
  const registered = registeredMetrics()

  it('are well-formed Prometheus rules', () => {
    expect(rules.length).toBeGreaterThanOrEqual(4)
    for (const r of rules) {
      expect(r.alert, JSON.stringify(r)).toMatch(/^AgentFleet[A-Za-z0-9]+$/)
      expect(typeof r.expr).toBe('string')
      expect(['warning', 'critical']).toContain(r.labels?.severity)
      expect(r.annotations?.summary).toBeTruthy()
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/)
      const expr = r.expr!
      for (const [open, close] of ['()', '{}', '[]'])
        expect(expr.split(open!).length, `${r.alert} ${open}${close}`).toBe(expr.split(close!).length)
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length)
  })

  it('cover conflicts, lag, dead letters and API errors', () => {
    const named = rules.flatMap((r) => metricsIn(r.expr!))
    for (const m of [
      'agentfleet_event_conflicts',
      'agentfleet_projection_lag_events',
      'agentfleet_consumer_group_lag',
      'agentfleet_dlq_tasks',
      'agentfleet_http_request_duration_seconds_count',
    ])
      expect(named).toContain(m)
  })

  it('name only metrics the code registers, with labels they have', () => {
    for (const r of rules) {
      const names = metricsIn(r.expr!)
      expect(names.length, r.alert).toBeGreaterThan(0)
      for (const name of names) expect(registered.has(name), `${r.alert}: ${name} is not a registered metric`).toBe(true)
      const labels = new Set(names.flatMap((n) => registered.get(n)?.labels ?? []))
      // label matchers right after a metric name, and by (...) groupings
      for (const [, name, matchers] of r.expr!.matchAll(/\b(agentfleet_[a-z0-9_]+)\{([^}]*)\}/g))
        for (const [, label] of matchers!.matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g))
          expect(registered.get(name!)?.labels, `${r.alert}: ${name} has no label ${label}`).toContain(label)
      for (const [, list] of r.expr!.matchAll(/\bby\s*\(([^)]*)\)/g))
        for (const label of list!.split(',').map((s) => s.trim()))
          expect(labels.has(label), `${r.alert}: no metric of it has the label ${label}`).toBe(true)
    }
  })

  it('the stubbed registry holds every metric src/metrics declares', () => {
    const dir = 'src/metrics'
    const declared = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/name: '(agentfleet_[a-z0-9_]+)'/g)].map((m) => m[1]!))
    expect(declared.length).toBeGreaterThan(5)
    for (const name of declared) expect(registered.has(name), name).toBe(true)
  })
})
