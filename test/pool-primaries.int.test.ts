import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { createLogger } from '../src/infra/logger.ts'
import { createRedis, type Redis } from '../src/infra/redis.ts'
import { createPoolPrimaries, shareOf } from '../src/workers/pool-primaries.ts'

describe('primaries of one pool in Redis (real Redis)', () => {
  const config = loadConfig()
  const prefix = `test:${randomBytes(4).toString('hex')}:`
  let redis: Redis
  beforeAll(async () => {
    redis = createRedis(config, createLogger(config, 'test'))
    await redis.connect()
  })
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length) await redis.del(...keys)
    await redis.quit()
  })

  it('elects one scaler, lists the members in one order, and reserves processes so the pool never exceeds its target', async () => {
    const a = createPoolPrimaries({ redis, prefix, pool: 'p', me: 'host-a:1' })
    const b = createPoolPrimaries({ redis, prefix, pool: 'p', me: 'host-b:2' })
    // a alone runs the whole target of 3.
    const first = await a.poll(5_000)
    expect(first).toEqual({ scaler: true, desired: undefined, members: ['host-a:1'] })
    await a.publish(3, 5_000)
    expect(await a.reserve(0, 3, 3)).toBe(3)

    // b joins as the target rises to 4: shares 2 + 2, but b may only start what a's 3 leave free.
    await a.publish(4, 5_000)
    const seenByB = await b.poll(5_000)
    expect(seenByB).toEqual({ scaler: false, desired: 4, members: ['host-a:1', 'host-b:2'] })
    expect(shareOf(4, seenByB.members, 'host-b:2')).toBe(2)
    expect(await b.reserve(0, 2, 4)).toBe(1)
    // a comes down to its share; then b may take the rest. The counts never add up to more than 4.
    expect(await a.reserve(3, 2, 4)).toBe(2)
    expect(await b.reserve(1, 2, 4)).toBe(2)

    // a leaves: b becomes the scaler and, alone, may run the whole target.
    await a.leave()
    expect(await b.poll(5_000)).toMatchObject({ scaler: true, members: ['host-b:2'] })
    expect(await b.reserve(2, 4, 4)).toBe(4)
  })

  it('drops a primary that stopped polling once its membership expires, with its processes', async () => {
    const a = createPoolPrimaries({ redis, prefix, pool: 'q', me: 'host-a:1' })
    const b = createPoolPrimaries({ redis, prefix, pool: 'q', me: 'host-b:2' })
    await a.poll(200)
    expect(await a.reserve(0, 2, 2)).toBe(2)
    await b.poll(5_000)
    expect(await b.reserve(0, 1, 2)).toBe(0)
    await new Promise((r) => setTimeout(r, 300))
    const later = await b.poll(5_000)
    expect(later).toMatchObject({ scaler: true, members: ['host-b:2'] })
    expect(await b.reserve(0, 2, 2)).toBe(2)
  })
})
