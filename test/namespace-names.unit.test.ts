import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import {
  assertDroppable,
  isSharedSchema,
  namespaceFor,
  ownedKeys,
  ownedNames,
  parseTopic,
  redisPrefixPattern,
  topicOfSubject,
} from '../src/ops/namespace-names.ts'

const config = loadConfig({ AGENTFLEET_TOPIC_PREFIX: 'prod', AGENTFLEET_DATABASE_SCHEMA: 'models', AGENTFLEET_REDIS_PREFIX: 'p:' })
const aggregates = ['task', 'agent']

const codeOf = (work: () => void): string | undefined => {
  try {
    work()
    return undefined
  } catch (error) {
    return (error as { code?: string }).code
  }
}

describe('namespace names', () => {
  it('maps the configured and the default prefix to their own schema and Redis prefix, others by convention', () => {
    expect(namespaceFor('prod', config)).toEqual({ prefix: 'prod', schema: 'models', redisPrefix: 'p:' })
    expect(namespaceFor('agentfleet', config)).toEqual({ prefix: 'agentfleet', schema: 'public', redisPrefix: 'af:' })
    // the harness' and the benches' namespaces
    expect(namespaceFor('test-1a2b3c4d', config)).toEqual({
      prefix: 'test-1a2b3c4d',
      schema: 'test_1a2b3c4d',
      redisPrefix: 'test:1a2b3c4d:',
    })
    expect(namespaceFor('bench-0a1b2c', config)).toEqual({ prefix: 'bench-0a1b2c', schema: 'bench_0a1b2c', redisPrefix: 'bench:0a1b2c:' })
    expect(namespaceFor('9lives', config).schema).toBe('_9lives')
    expect(namespaceFor('staging', config, { schema: 'stg', redisPrefix: 's:' })).toEqual({
      prefix: 'staging',
      schema: 'stg',
      redisPrefix: 's:',
    })
  })

  it('refuses the configured and the default namespace without force, and empty prefixes always', () => {
    expect(codeOf(() => assertDroppable(namespaceFor('prod', config), config, false))).toBe('namespace.configured')
    expect(codeOf(() => assertDroppable(namespaceFor('agentfleet', config), config, false))).toBe('namespace.default')
    expect(codeOf(() => assertDroppable(namespaceFor('prod', config), config, true))).toBeUndefined()
    expect(codeOf(() => assertDroppable(namespaceFor('test-1', config), config, false))).toBeUndefined()
    expect(codeOf(() => assertDroppable({ prefix: 'x', schema: 'x', redisPrefix: '' }, config, true))).toBe('namespace.bad-redis-prefix')
    expect(codeOf(() => assertDroppable({ prefix: 'a b', schema: 'x', redisPrefix: 'x:' }, config, true))).toBe('namespace.bad-prefix')
  })

  it('never treats public or the catalogs as a namespace schema', () => {
    expect([
      isSharedSchema('public'),
      isSharedSchema('pg_catalog'),
      isSharedSchema('information_schema'),
      isSharedSchema('test_1'),
    ]).toEqual([true, true, true, false])
  })

  it('finds the prefix of event and dispatch topics and of subjects', () => {
    expect(parseTopic('test-1a.task.events', aggregates)).toEqual({ prefix: 'test-1a', kind: 'event' })
    expect(parseTopic('a.b.agent.events', aggregates)).toEqual({ prefix: 'a.b', kind: 'event' })
    expect(parseTopic('test-1a.dispatch.e2e.high', aggregates)).toEqual({ prefix: 'test-1a', kind: 'dispatch' })
    expect(parseTopic('test-1a.dispatch.e2e.dlq', aggregates)).toEqual({ prefix: 'test-1a', kind: 'dispatch' })
    expect(parseTopic('test-1a.nothing.events', aggregates)).toBeUndefined()
    expect(parseTopic('__consumer_offsets', aggregates)).toBeUndefined()
    expect(topicOfSubject('test-1a.task.events-agentfleet.task.TaskCreated')).toBe('test-1a.task.events')
  })

  it('owns the names under its prefix, but not those of a namespace nested in it', () => {
    const names = ['a.task.events', 'a.b.task.events', 'a.projection.main', 'ab.task.events', 'a.b.projection.main', 'x.a.task.events']
    expect(ownedNames('a', names, ['a', 'a.b', 'ab'])).toEqual(['a.task.events', 'a.projection.main'])
    expect(ownedNames('a.b', names, ['a', 'a.b'])).toEqual(['a.b.task.events', 'a.b.projection.main'])
    expect(ownedKeys('test:', ['test:1:x', 'test:x', 'other:x'], ['test:1:'])).toEqual(['test:x'])
    expect(redisPrefixPattern('t[1]*:')).toBe('t\\[1\\]\\*:*')
  })
})
