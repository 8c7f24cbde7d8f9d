import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventTopic } from '../src/events/topics.ts'
import { startProjector } from '../src/projections/projector.ts'
import { postJson, startHarness, waitFor, type Harness } from './support/harness.ts'

const run = promisify(execFile)

describe('a projector group whose read models do not belong to the log', () => {
  let h: Harness
  const topic = () => eventTopic(h.config.kafka.topicPrefix, 'task')
  const visible = async () => (await h.services.db.selectFrom('tasks').select('id').execute()).length

  beforeAll(async () => {
    h = await startHarness({ pools: ['align'], projector: false, reactors: false })
    for (let i = 0; i < 5; i++) expect((await postJson(`${h.baseUrl}/api/v1/tasks`, { title: `t${i}`, pool: 'align' })).status).toBe(201)
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('refuses to run with a checkpoint past the log end, in one line naming the fix; the reset folds the log again', async () => {
    await h.services.db
      .insertInto('projector_checkpoints')
      .values({ consumer: 'main', topic: topic(), partition: 0, next_offset: 7_000, updated_at: new Date() })
      .execute()
    const refused = await startProjector(h.services).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'projector.misaligned' })
    expect((refused as Error).message).toMatch(/checkpoint on .*task\.events\[0\] is at 7000, past the log end \d+/)
    expect((refused as Error).message).toContain('agentfleet reset --group main --yes')

    const lag = (await (await fetch(`${h.baseUrl}/api/v1/system/lag`)).json()) as {
      projections: { projection: string; lag: number | null; problem: string | null }[]
    }
    const tasks = lag.projections.find((p) => p.projection === 'tasks')
    expect(tasks?.lag).toBeNull()
    expect(tasks?.problem).toMatch(/checkpoint past the log end .*agentfleet reset --group main --yes/)

    const env = { ...process.env, ...h.env }
    const dry = await run(process.execPath, ['bin/agentfleet.js', 'reset', '--group', 'main'], { env })
    expect(dry.stdout).toContain('run again with --yes')
    expect(await h.services.db.selectFrom('projector_checkpoints').select('next_offset').where('consumer', '=', 'main').execute()).toEqual([
      { next_offset: 7_000 },
    ])
    const reset = await run(process.execPath, ['bin/agentfleet.js', 'reset', '--group', 'main', '--yes'], { env })
    expect(reset.stdout).toContain('projector group main reset')

    const projector = await startProjector(h.services)
    try {
      await waitFor(async () => (await visible()) === 5, 'every task folded again')
    } finally {
      await projector.stop()
    }
  })

  it('refuses read models built from another incarnation of the topic, though their offsets look plausible', async () => {
    await h.services.db
      .updateTable('projector_log_identity')
      .set({ topic_id: 'an-older-incarnation' })
      .where('consumer', '=', 'main')
      .where('topic', '=', topic())
      .execute()
    const refused = await startProjector(h.services).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'projector.misaligned' })
    expect((refused as Error).message).toContain(`another incarnation of ${topic()} (topic id an-older-incarnation`)
  })
})
