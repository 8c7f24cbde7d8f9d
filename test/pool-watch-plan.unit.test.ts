import { describe, expect, it } from 'vitest'
import { poolSettingsSchema, type PoolSettings } from '../src/workers/pool-settings.ts'
import { planPoolWatch, type RunningPool } from '../src/workers/pool-watch-plan.ts'

const settings = (pool: string, over: Partial<PoolSettings> = {}): PoolSettings => poolSettingsSchema.parse({ pool, ...over })
const running = (pool: string, version: number, over: Partial<PoolSettings> = {}): RunningPool => ({
  pool,
  version,
  settings: settings(pool, over),
})

describe('planPoolWatch', () => {
  it('starts a group for a new pool and leaves an unchanged one alone', () => {
    const step = planPoolWatch(
      [running('a', 1)],
      [
        { pool: 'a', version: 1, settings: settings('a') },
        { pool: 'b', version: 1, settings: settings('b') },
      ],
    )
    expect(step.start.map((s) => s.pool)).toEqual(['b'])
    expect(step.reconfigure).toEqual([])
    expect(step.stop).toEqual([])
  })

  it('leaves a group alone when only the version moved (a scaling decision, a health report)', () => {
    expect(planPoolWatch([running('a', 1)], [{ pool: 'a', version: 5, settings: settings('a') }]).reconfigure).toEqual([])
  })

  it('reconfigures in place when only scaling settings changed, and replaces the processes when the handler or slots did', () => {
    const scaling = planPoolWatch([running('a', 1)], [{ pool: 'a', version: 2, settings: settings('a', { maxWorkers: 8 }) }])
    expect(scaling.reconfigure).toMatchObject([{ pool: 'a', version: 2, replaceWorkers: false, settings: { maxWorkers: 8 } }])
    const handler = planPoolWatch([running('a', 1)], [{ pool: 'a', version: 2, settings: settings('a', { handler: 'command' }) }])
    expect(handler.reconfigure).toMatchObject([{ pool: 'a', replaceWorkers: true }])
    const handlerConfig = planPoolWatch(
      [running('a', 1, { handlerConfig: { delayMs: 1 } })],
      [{ pool: 'a', version: 2, settings: settings('a', { handlerConfig: { delayMs: 2 } }) }],
    )
    expect(handlerConfig.reconfigure).toMatchObject([{ replaceWorkers: true }])
    const slots = planPoolWatch([running('a', 1)], [{ pool: 'a', version: 2, settings: settings('a', { maxAgentsPerProcess: 3 }) }])
    expect(slots.reconfigure).toMatchObject([{ replaceWorkers: true }])
  })

  it('stops the group of a pool that is gone or may run no process', () => {
    const step = planPoolWatch(
      [running('gone', 3), running('zero', 1)],
      [{ pool: 'zero', version: 2, settings: settings('zero', { minWorkers: 0, maxWorkers: 0 }) }],
    )
    expect([...step.stop].sort()).toEqual(['gone', 'zero'])
    expect(planPoolWatch([], [{ pool: 'zero', version: 1, settings: settings('zero', { minWorkers: 0, maxWorkers: 0 }) }]).start).toEqual(
      [],
    )
  })

  it('refuses bad settings of one pool without touching the others; a running group keeps its last good settings', () => {
    const step = planPoolWatch(
      [running('bad', 1)],
      [
        { pool: 'bad', version: 2, problem: 'maxWorkers: too big' },
        { pool: 'fresh-bad', version: 1, problem: 'no handler' },
        { pool: 'good', version: 1, settings: settings('good') },
      ],
    )
    expect(step.start.map((s) => s.pool)).toEqual(['good'])
    expect(step.stop).toEqual([])
    expect(step.reconfigure).toEqual([])
    expect(step.refused.map((r) => r.pool)).toEqual(['bad', 'fresh-bad'])
  })
})
