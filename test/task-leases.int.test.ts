import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { createLogger } from '../src/infra/logger.ts'
import { createRedis, type Redis } from '../src/infra/redis.ts'
import { createTaskLeases } from '../src/leases/task-leases.ts'

describe('task run leases in real Redis', () => {
  const prefix = `test:${randomBytes(4).toString('hex')}:`
  let redis: Redis
  beforeAll(async () => {
    const config = loadConfig({ ...process.env, AGENTFLEET_REDIS_PREFIX: prefix })
    redis = createRedis(config, createLogger({ logLevel: 'silent' }, 'test'))
    await redis.connect()
  })
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length) await redis.del(...keys)
    await redis.quit()
  })

  it("fences by epoch: a reaped holder can neither extend nor release its successor's lease", async () => {
    const leases = createTaskLeases({ redis, prefix })
    expect(await leases.grant({ taskId: 't1', epoch: 1, holder: 'a1', pool: 'p', expiresAt: 1_000 })).toBe(true)
    expect(await leases.extend('t1', 1, 2_000, 500)).toBe(true)
    expect((await leases.get('t1'))?.expiresAt).toBe(2_000)
    expect(await leases.grant({ taskId: 't1', epoch: 2, holder: 'a2', pool: 'p', expiresAt: 5_000 })).toBe(true)
    expect(await leases.extend('t1', 1, 9_000, 500)).toBe(false)
    expect(await leases.release('t1', 1)).toBe(false)
    expect(await leases.grant({ taskId: 't1', epoch: 1, holder: 'a1', pool: 'p', expiresAt: 9_000 })).toBe(false)
    expect(await leases.get('t1')).toEqual({ taskId: 't1', epoch: 2, holder: 'a2', pool: 'p', expiresAt: 5_000 })
  })

  it('lists expired leases oldest first and forgets released ones', async () => {
    const leases = createTaskLeases({ redis, prefix })
    await leases.grant({ taskId: 'x2', epoch: 1, holder: 'w', pool: 'p', expiresAt: 200 })
    await leases.grant({ taskId: 'x1', epoch: 3, holder: 'w', pool: 'p', expiresAt: 100 })
    await leases.grant({ taskId: 'x3', epoch: 1, holder: 'w', pool: 'p', expiresAt: 10_000 })
    expect((await leases.expired(500)).filter((l) => l.taskId.startsWith('x')).map((l) => [l.taskId, l.epoch])).toEqual([
      ['x1', 3],
      ['x2', 1],
    ])
    expect(await leases.release('x1', 3)).toBe(true)
    expect((await leases.expired(500)).map((l) => l.taskId)).not.toContain('x1')
  })

  it('refuses to extend a lease that lapsed, even before the reaper comes; holds() tells the same', async () => {
    const leases = createTaskLeases({ redis, prefix })
    await leases.grant({ taskId: 'l1', epoch: 4, holder: 'a', pool: 'p', expiresAt: 1_000 })
    expect(await leases.holds('l1', 4, 999)).toBe(true)
    expect(await leases.holds('l1', 3, 999)).toBe(false)
    expect(await leases.holds('l1', 4, 1_001)).toBe(false)
    expect(await leases.extend('l1', 4, 5_000, 1_001)).toBe(false)
    expect((await leases.get('l1'))?.expiresAt).toBe(1_000)
  })
})
