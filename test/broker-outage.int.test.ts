import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WriteSide } from '../src/commands/write-side.ts'
import { startHarness, waitFor, type Harness } from './support/harness.ts'
import { startPrivateBroker, type PrivateBroker } from './support/private-broker.ts'

type Line = { ready?: boolean; id?: string; version?: number; eventId?: string; error?: string; at: number }

describe("a Kafka broker that stalls or dies under load (a broker of the test's own)", () => {
  let broker: PrivateBroker
  let h: Harness
  let w: WriteSide
  beforeAll(async () => {
    broker = await startPrivateBroker()
    h = await startHarness({
      api: false,
      projector: false,
      reactors: false,
      env: { AGENTFLEET_KAFKA_BROKERS: broker.brokers, AGENTFLEET_PRODUCE_TIMEOUT_MS: '1500' },
    })
    w = await h.writeSide()
  }, 120_000)
  afterAll(async () => {
    await h?.stop()
    await broker?.stop()
  })

  /** A writer process appending to 20 aggregates as fast as it can, its acknowledged appends timestamped. */
  const startLoad = () => {
    const child = spawn(process.execPath, ['test/support/append-writer.ts', 'load', '20'], {
      env: { ...process.env, ...h.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const lines: Line[] = []
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (l.startsWith('{"') && !l.startsWith('{"level"')) lines.push({ ...(JSON.parse(l) as Line), at: Date.now() })
    })
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    return {
      lines,
      stop: async () => {
        child.kill('SIGTERM')
        await exited
      },
    }
  }
  const acksAfter = (lines: readonly Line[], t: number) => lines.filter((l) => l.eventId && l.at > t)
  const expectLogIntact = async (lines: readonly Line[]) => {
    const ids = [...new Set(lines.filter((l) => l.id).map((l) => l.id!))]
    for (const id of ids) {
      const events = await w.store.readStream('task', id)
      expect(
        events.map((e) => e.meta.version),
        id,
      ).toEqual(events.map((_, i) => i + 1))
      const byVersion = new Map(events.map((e) => [e.meta.version, e.meta.eventId]))
      for (const a of lines.filter((l) => l.id === id && l.eventId))
        expect(byVersion.get(a.version!), `${id} v${a.version}`).toBe(a.eventId)
    }
  }

  it('stalled for 30 s (SIGSTOP): appends fail as not sent or in doubt, none twice; writing resumes within seconds of its return', async () => {
    const load = startLoad()
    try {
      await waitFor(async () => acksAfter(load.lines, 0).length > 200, 'appends before the stall', 30_000)
      broker.pause()
      const stalledAt = Date.now()
      await new Promise((r) => setTimeout(r, 30_000))
      broker.resume()
      const resumedAt = Date.now()
      const failures = load.lines.filter((l) => l.error && l.at > stalledAt && l.at < resumedAt)
      expect(failures.length).toBeGreaterThan(0)
      // Every failure says what it is: nothing written, in doubt (the next writer reconciles it), or the log unreadable for now.
      for (const code of new Set(failures.map((l) => l.error)))
        expect(['append.not-sent', 'append.outcome-unknown', 'log.unavailable', 'aggregate.busy']).toContain(code)
      const firstAck = await waitFor(async () => acksAfter(load.lines, resumedAt)[0], 'an append after the broker returned', 30_000)
      expect(firstAck.at - resumedAt, 'recovery after the broker returned, ms').toBeLessThan(10_000)
      await waitFor(async () => acksAfter(load.lines, resumedAt).length > 200, 'appends after the stall', 30_000)
    } finally {
      await load.stop()
    }
    await expectLogIntact(load.lines)
  }, 150_000)

  it('killed and restarted after 10 s: nothing acknowledged lost, no version twice, writing resumes', async () => {
    const load = startLoad()
    try {
      await waitFor(async () => acksAfter(load.lines, 0).length > 200, 'appends before the crash', 30_000)
      broker.kill()
      const killedAt = Date.now()
      // Reads of the log while it is gone: after three failures the rest fail at once (no pile-up on the broker).
      for (let i = 0; i < 3; i++) await w.store.readStream('task', `gone-${i}`).catch(() => undefined)
      const asked = Date.now()
      await expect(w.store.readStream('task', 'gone-3')).rejects.toMatchObject({ code: 'log.unavailable', retriable: true })
      expect(Date.now() - asked, 'a read while the breaker is open, ms').toBeLessThan(200)
      await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - killedAt))))
      await broker.restart()
      const restartedAt = Date.now()
      const firstAck = await waitFor(async () => acksAfter(load.lines, restartedAt)[0], 'an append after the restart', 60_000)
      expect(firstAck.at - restartedAt, 'recovery after the restart, ms').toBeLessThan(15_000)
      await waitFor(async () => acksAfter(load.lines, restartedAt).length > 200, 'appends after the restart', 30_000)
      // Reads work again: the breaker lets one through a second after it opened, and it succeeds.
      const id = acksAfter(load.lines, restartedAt)[0]!.id!
      await waitFor(async () => (await w.store.readStream('task', id).catch(() => [])).length > 0, 'a read after the restart', 10_000)
    } finally {
      await load.stop()
    }
    await expectLogIntact(load.lines)
  }, 150_000)
})
