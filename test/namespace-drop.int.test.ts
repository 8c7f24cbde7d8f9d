import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CreateTask } from '../src/commands/task/task.commands.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import { createWriteSide } from '../src/commands/write-side.ts'
import { eventTopic, subjectName } from '../src/events/topics.ts'
import { withOwnAdmin } from '../src/ops/drop-namespace.ts'
import type { NamespaceListing } from '../src/ops/list-namespaces.ts'
import { startProjector } from '../src/projections/projector.ts'
import { startReactors } from '../src/reactors/catalog.ts'
import { startHarness, waitFor, type Harness } from './support/harness.ts'

const run = promisify(execFile)
type RunError = Error & { code: number; stdout: string; stderr: string }
const ctx = (id: string) => ({ commandId: id, correlationId: 'ns', causationId: null, actor: 'test' })
const create = (id: string): CreateTask => ({
  type: 'CreateTask',
  taskId: id,
  commandId: `c-${id}`,
  title: id,
  description: null,
  pool: 'nsdrop',
  priority: 'HIGH',
  payload: {},
  maxAttempts: 1,
  timeoutMs: 1000,
  projectId: null,
  workflowId: null,
  role: null,
  metadata: {},
  dependsOn: [],
})

describe('namespace list and drop', () => {
  let h: Harness
  let prefix: string
  const stops: (() => Promise<void>)[] = []
  /** The CLI as an operator elsewhere runs it: configured for the default namespace, not this one. */
  const cli = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, ['bin/agentfleet.js', 'namespace', ...args], { env: { ...process.env, AGENTFLEET_LOG_LEVEL: 'warn', ...env } })
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: RunError) => e,
    ) as Promise<RunError | undefined>
  const registered = async (subject: string) =>
    (await fetch(`${h.config.registryUrl}/subjects/${encodeURIComponent(subject)}/versions?deleted=true`)).status === 200
  // A fresh admin each time: the harness' own one fails on topics another process deleted.
  const topicsOf = () => withOwnAdmin(h.services.kafka, async (a) => (await a.listTopics()).filter((t) => t.startsWith(`${prefix}.`)))
  const groupsOf = () =>
    withOwnAdmin(h.services.kafka, async (a) => (await a.listGroups()).groups.filter((g) => g.groupId.startsWith(`${prefix}.`)))
  const redisKeys = async () => {
    let cursor = '0'
    let n = 0
    do {
      const [next, keys] = await h.services.redis.scan(cursor, 'MATCH', `${h.config.redis.prefix}*`, 'COUNT', 1000)
      cursor = next
      n += keys.length
    } while (cursor !== '0')
    return n
  }
  const schemaExists = async () =>
    (
      await sql<{
        n: number
      }>`select count(*)::int as n from information_schema.schemata where schema_name = ${h.config.postgres.schema}`.execute(h.services.db)
    ).rows[0]!.n > 0

  beforeAll(async () => {
    h = await startHarness({ api: false, projector: false, reactors: false })
    prefix = h.config.kafka.topicPrefix
    // The roles run here, not in the harness, so that the test can stop them before the drop.
    const projector = await startProjector(h.services)
    const reactorWriteSide = await createWriteSide(h.services)
    const reactors = await startReactors({
      services: h.services,
      execute: reactorWriteSide.execute,
      readStream: reactorWriteSide.store.readStream,
      clock: Date.now,
    })
    stops.push(reactors.stop, reactorWriteSide.close, projector.stop)
    const w = await h.writeSide()
    await w.execute('task', 'ns-1', taskDecider, create('ns-1'), ctx('ns-1'), { expectNew: true })
    // The dispatcher creates the pool's dispatch topics and registers their subjects.
    await waitFor(async () => (await topicsOf()).some((t) => t.startsWith(`${prefix}.dispatch.nsdrop.`)), 'the dispatch topics')
  })
  afterAll(async () => {
    for (const stop of stops.splice(0)) await stop().catch(() => undefined)
    await h?.stop()
  })

  it('list shows the namespace with its topics and groups', async () => {
    const { stdout } = await cli(['list', '--json'])
    const mine = (JSON.parse(stdout) as NamespaceListing).namespaces.find((n) => n.prefix === prefix)
    expect(mine).toMatchObject({
      eventTopics: 6,
      dispatchTopics: 5,
      schema: h.config.postgres.schema,
      schemaExists: true,
      configured: false,
    })
    expect(mine!.groups).toBeGreaterThan(0)
    const table = await cli(['list'])
    expect(table.stdout).toMatch(new RegExp(`^${prefix}\\s+6\\s+5\\s`, 'm'))
  })

  it('refuses the configured namespace, and one whose processes still run, without --force', async () => {
    const configured = await failure(cli(['drop', prefix], h.env))
    expect(configured?.code).toBe(1)
    expect(configured?.stderr).toContain('AGENTFLEET_TOPIC_PREFIX')
    const running = await failure(cli(['drop', prefix]))
    expect(running?.code).toBe(1)
    expect(running?.stderr).toContain('still have members')
    expect((await topicsOf()).length).toBeGreaterThan(0)
  })

  it('--dry-run lists what would go and removes nothing', async () => {
    const { stdout } = await cli(['drop', prefix, '--dry-run'])
    expect(stdout).toContain(eventTopic(prefix, 'task'))
    expect(stdout).toContain(`postgres schema  ${h.config.postgres.schema} (exists)`)
    expect(await schemaExists()).toBe(true)
  })

  it('drops topics, consumer groups, registry subjects, the schema and the Redis keys', async () => {
    for (const stop of stops.splice(0)) await stop()
    const eventSubject = subjectName(eventTopic(prefix, 'task'), h.services.schemas.events.find((e) => e.name === 'TaskCreated')!.fullName)
    const dispatchRecord = h.services.schemas.records!.find((r) => r.name === 'DispatchRecord')!
    const dispatchSubject = subjectName(`${prefix}.dispatch.nsdrop.high`, dispatchRecord.fullName)
    expect([await registered(eventSubject), await registered(dispatchSubject)]).toEqual([true, true])
    expect((await groupsOf()).length).toBeGreaterThan(0)
    expect(await redisKeys()).toBeGreaterThan(0)

    const { stdout } = await cli(['drop', prefix])
    expect(stdout).toMatch(
      new RegExp(`dropped ${prefix}: 11 topics, \\d+ consumer groups, \\d+ registry subjects, schema \\S+ dropped, \\d+ Redis keys`),
    )
    await waitFor(async () => (await topicsOf()).length === 0, 'the topics to go')
    expect(await groupsOf()).toEqual([])
    expect([await registered(eventSubject), await registered(dispatchSubject)]).toEqual([false, false])
    expect(await schemaExists()).toBe(false)
    expect(await redisKeys()).toBe(0)
    const { stdout: listed } = await cli(['list', '--json'])
    expect((JSON.parse(listed) as NamespaceListing).namespaces.map((n) => n.prefix)).not.toContain(prefix)
  })
})
