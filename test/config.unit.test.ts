import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { configTable, configTableMarkers } from '../src/config-docs.ts'
import { ConfigError, loadConfig } from '../src/config.ts'

describe('loadConfig', () => {
  it('has working defaults for a laptop', () => {
    const c = loadConfig({})
    expect(c.http).toMatchObject({ host: '127.0.0.1', port: 8000 })
    expect(c.kafka.brokers).toEqual(['127.0.0.1:9092'])
    expect(c.registryUrl).toBe('http://127.0.0.1:8081/apis/ccompat/v7')
    expect(Object.isFrozen(c)).toBe(true)
  })

  it('lists every bad key at once', () => {
    let error: unknown
    try {
      loadConfig({ AGENTFLEET_HTTP_PORT: 'eighty', AGENTFLEET_KAFKA_HEAP: 'lots', AGENTFLEET_LOG_LEVEL: 'loud' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems.join('\n')
    expect(problems).toContain('AGENTFLEET_HTTP_PORT')
    expect(problems).toContain('AGENTFLEET_KAFKA_HEAP')
    expect(problems).toContain('AGENTFLEET_LOG_LEVEL')
  })

  it('refuses an append budget too short for a produce round trip', () => {
    expect(() => loadConfig({ AGENTFLEET_PRODUCE_TIMEOUT_MS: '100' })).toThrow(/AGENTFLEET_PRODUCE_TIMEOUT_MS/)
    expect(loadConfig({ AGENTFLEET_PRODUCE_TIMEOUT_MS: '300' }).append.produceTimeoutMs).toBe(300)
  })

  it('reads projector and reactor groups, and names the setting when their syntax is wrong', () => {
    expect(loadConfig({ AGENTFLEET_PROJECTOR_GROUPS: 'fast:tasks, snapshots; rest:*' }).projector.groups).toEqual([
      { name: 'fast', members: ['tasks', 'snapshots'] },
      { name: 'rest', members: '*' },
    ])
    expect(loadConfig({}).reactors.groups).toEqual([{ name: 'main', members: '*' }])
    expect(() => loadConfig({ AGENTFLEET_PROJECTOR_GROUPS: 'tasks,snapshots' })).toThrow(/AGENTFLEET_PROJECTOR_GROUPS/)
    expect(() => loadConfig({ AGENTFLEET_REACTOR_GROUPS: 'main:' })).toThrow(/AGENTFLEET_REACTOR_GROUPS/)
  })
})

describe('README configuration table', () => {
  it('lists every variable with its default (run `npm run docs:config` after changing src/config.ts)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const section = readme.slice(
      readme.indexOf(configTableMarkers.start) + configTableMarkers.start.length,
      readme.indexOf(configTableMarkers.end),
    )
    expect(section.trim()).toBe(configTable())
  })
})
