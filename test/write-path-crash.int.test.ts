import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { WriteSide } from '../src/commands/write-side.ts'
import { startHarness, waitFor, type Harness } from './support/harness.ts'

type Line = { signal?: string; ready?: boolean; id?: string; version?: number; eventId?: string; error?: string }

/** `test/support/append-writer.ts` as a real process; its acknowledged appends are collected as they come. */
function spawnWriter(h: Harness, mode: 'load' | 'after-send' | 'in-flight', aggregates: number) {
  const child: ChildProcess = spawn(process.execPath, ['test/support/append-writer.ts', mode, String(aggregates)], {
    env: { ...process.env, ...h.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines: Line[] = []
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (l.startsWith('{"') && !l.startsWith('{"level"')) lines.push(JSON.parse(l) as Line)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    child,
    lines,
    exited,
    until: (what: (l: Line) => boolean, label: string) => waitFor(async () => lines.some(what), label, 30_000),
    kill: async (signal: NodeJS.Signals) => {
      child.kill(signal)
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited
    },
  }
}

describe('the write path when a writer dies or stalls in the middle of an append (real processes)', () => {
  let h: Harness
  let w: WriteSide
  const acked: Line[] = []
  beforeAll(async () => {
    // A short append budget: a dead writer's slot is given up in 0.6 s.
    h = await startHarness({ api: false, reactors: false, env: { AGENTFLEET_PRODUCE_TIMEOUT_MS: '600' } })
    w = await h.writeSide()
  })
  afterAll(async () => {
    await h?.stop()
  })

  const idsOf = (n: number) => Array.from({ length: n }, (_, i) => `${h.config.kafka.topicPrefix}-agg-${i}`)
  /** Every aggregate's log holds versions 1..n, each once, and every acknowledged append is in it at its version. */
  const expectLogIntact = async (ids: readonly string[]) => {
    for (const id of ids) {
      const events = await w.store.readStream('task', id)
      expect(
        events.map((e) => e.meta.version),
        id,
      ).toEqual(events.map((_, i) => i + 1))
      const byVersion = new Map(events.map((e) => [e.meta.version, e.meta.eventId]))
      for (const a of acked.filter((l) => l.id === id)) expect(byVersion.get(a.version!), `${id} v${a.version}`).toBe(a.eventId)
    }
  }
  const progress = (id: string, step: string) =>
    w.execute(
      'task',
      id,
      taskDecider,
      { type: 'ReportTaskProgress', percent: 1, message: step },
      { commandId: step, correlationId: 'crash', causationId: null, actor: 'test' },
    )

  it('SIGKILL after the append landed and before its commit, ten times over: each next writer folds the log and appends the next version', async () => {
    const [id] = idsOf(1)
    for (let round = 0; round < 10; round++) {
      const writer = spawnWriter(h, 'after-send', 1)
      await writer.until((l) => l.signal === 'landed', `round ${round}: an append that landed`)
      await writer.kill('SIGKILL')
      acked.push(...writer.lines.filter((l) => l.eventId))
    }
    const before = (await w.store.readStream('task', id!)).length
    const next = await progress(id!, 'after-the-kills')
    expect(next.version).toBe(before + 1)
    await expectLogIntact([id!])
  })

  it('SIGKILL at random moments of a busy writer, ten times: no version appended twice, nothing acknowledged lost', async () => {
    const ids = idsOf(20)
    for (let round = 0; round < 10; round++) {
      const writer = spawnWriter(h, 'load', ids.length)
      await writer.until((l) => l.ready === true, 'the writer to be ready')
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 600))
      await writer.kill('SIGKILL')
      acked.push(...writer.lines.filter((l) => l.eventId))
    }
    expect(acked.length).toBeGreaterThan(100)
    for (const id of ids) await progress(id, `final-${id}`)
    await expectLogIntact(ids)
  })

  it('a writer stopped (SIGSTOP) while its append is in flight, five times at slightly different moments: another writer waits out its deadline, reads the log and carries on', async () => {
    const [id] = idsOf(1)
    for (let round = 0; round < 5; round++) {
      const writer = spawnWriter(h, 'in-flight', 1)
      await writer.until((l) => l.signal === 'in-flight', `round ${round}: an append in flight`)
      // Stopped anywhere from before the client writes the request to after it: both must be safe.
      await new Promise((r) => setTimeout(r, round))
      writer.child.kill('SIGSTOP')
      try {
        const other = await progress(id!, `while-stopped-${round}`)
        expect(other.version).toBeGreaterThan(1)
      } finally {
        writer.child.kill('SIGCONT')
      }
      // The stopped writer resumes: its commit finds the slot taken over, its next appends follow the log.
      const seen = writer.lines.length
      await waitFor(async () => writer.lines.slice(seen).some((l) => l.eventId !== undefined), 'the resumed writer to append again', 30_000)
      await writer.kill('SIGTERM')
      acked.push(...writer.lines.filter((l) => l.eventId))
    }
    await expectLogIntact([id!])
    expect(await h.services.db.selectFrom('event_conflicts').selectAll().execute()).toEqual([])
  })
})
