import { describe, expect, it } from 'vitest'
import { trackAppends } from '../src/eventstore/append-health.ts'
import type { EventLog } from '../src/eventstore/event-log.ts'

/** An event log whose appends fail while `down` is true. */
const flakyLog = () => {
  const state = { down: false }
  const log: EventLog = {
    append: async (records) => {
      if (state.down) throw new Error('broker unavailable')
      return records.map((_, i) => ({ topic: 't', partition: 0, offset: String(i) }))
    },
    readAggregate: async () => [],
    partitionOf: () => 0,
    close: async () => undefined,
  }
  return { state, log }
}

describe('append health', () => {
  it('is failing from the first failed append until one succeeds, with the error and since when', async () => {
    const { state, log } = flakyLog()
    const tracked = trackAppends(log)
    expect(tracked.health.status(Date.now())).toEqual({ ok: true })
    state.down = true
    await expect(tracked.log.append([], 0)).rejects.toThrow('broker unavailable')
    await expect(tracked.log.append([], 0)).rejects.toThrow()
    const failing = tracked.health.status(Date.now() + 1_000)
    expect(failing).toMatchObject({ ok: false, error: 'broker unavailable' })
    expect(failing.failingSinceMs).toBeGreaterThanOrEqual(1_000)
    state.down = false
    await tracked.log.append([], 0)
    expect(tracked.health.status(Date.now())).toEqual({ ok: true })
  })

  it('forgets a failure once no append has been tried for the window', async () => {
    const { state, log } = flakyLog()
    const tracked = trackAppends(log, 5_000)
    state.down = true
    await expect(tracked.log.append([], 0)).rejects.toThrow()
    expect(tracked.health.status(Date.now() + 4_000).ok).toBe(false)
    expect(tracked.health.status(Date.now() + 6_000).ok).toBe(true)
  })
})
