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

  it('keeps the produce deadline far below the lease TTL', () => {
    expect(() => loadConfig({ AGENTFLEET_LEASE_TTL_MS: '4000', AGENTFLEET_PRODUCE_TIMEOUT_MS: '3000' })).toThrow(/half of AGENTFLEET_LEASE_TTL_MS/)
  })
})

describe('README configuration table', () => {
  it('lists every variable with its default (run `npm run docs:config` after changing src/config.ts)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf(configTableMarkers.start) + configTableMarkers.start.length, readme.indexOf(configTableMarkers.end))
    expect(section.trim()).toBe(configTable())
  })
})
