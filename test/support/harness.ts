import { randomBytes } from 'node:crypto'
import { loadConfig, type Config } from '../../src/config.ts'
import { createWriteSide, type WriteSide, type WriteSideOverrides } from '../../src/commands/write-side.ts'
import { startApi } from '../../src/http/server.ts'
import { createLogger } from '../../src/infra/logger.ts'
import { connectServices, type Services } from '../../src/infra/services.ts'
import { startProjector } from '../../src/projections/projector.ts'
import { startReactors } from '../../src/reactors/catalog.ts'
import { startHitlExpiry } from '../../src/reactors/hitl/hitl-expiry.ts'
import { prepareEnvironment } from '../../src/setup.ts'
import { startQueueLoops, type QueueLoop } from '../../src/queue/queue-loops.ts'
import { dropNamespace } from '../../src/ops/drop-namespace.ts'
import { topicOffsets } from '../../src/infra/topic-offsets.ts'
import { defaultHandler, poolNumberDefaults } from '../../src/commands/pool/pool-limits.ts'
import { poolDecider } from '../../src/commands/pool/pool.decider.ts'
import { projectDecider } from '../../src/commands/project/project.decider.ts'
import { getProject } from '../../src/projections/projects/projects.queries.ts'
import type { PoolMode } from '../../src/commands/pool/pool.state.ts'
import { getPool } from '../../src/projections/pools/pools.queries.ts'
import { poolsProjection, type PoolRow } from '../../src/projections/pools/pools.projection.ts'

export type Harness = Readonly<{
  id: string
  config: Config
  env: Record<string, string>
  services: Services
  baseUrl: string
  writeSide: (overrides?: WriteSideOverrides) => Promise<WriteSide>
  /** Creates pools (default mode pull: no worker group, tasks wait for claims) and waits until the read model lists them. */
  createPools: (names: readonly string[], mode?: PoolMode) => Promise<void>
  stop: () => Promise<void>
}>

/**
 * A private AgentFleet against the real stack: its own topic prefix, Postgres schema and
 * Redis key prefix, so tests run side by side and leave nothing behind.
 */
export async function startHarness(
  options: {
    api?: boolean
    projector?: boolean
    reactors?: boolean
    queueLoops?: readonly QueueLoop[]
    env?: Record<string, string>
    /** pull pools to create up front: a task's pool must exist */
    pools?: readonly string[]
    /** projects to create up front under these ids: a task's project must exist */
    projects?: readonly string[]
  } = {},
): Promise<Harness> {
  const id = randomBytes(4).toString('hex')
  const env: Record<string, string> = {
    AGENTFLEET_TOPIC_PREFIX: `test-${id}`,
    AGENTFLEET_DATABASE_SCHEMA: `test_${id}`,
    AGENTFLEET_REDIS_PREFIX: `test:${id}:`,
    AGENTFLEET_TOPIC_PARTITIONS: '3',
    AGENTFLEET_HTTP_PORT: '0',
    AGENTFLEET_LOG_LEVEL: process.env.AGENTFLEET_LOG_LEVEL ?? 'warn',
    ...options.env,
  }
  const config = loadConfig({ ...process.env, ...env })
  const logger = createLogger(config, `test-${id}`)
  const services = await connectServices(config, logger, `test-${id}`, { resolveSchemas: false })
  await prepareEnvironment(services)
  const stops: (() => Promise<void>)[] = []
  const projector = options.projector === false ? undefined : await startProjector(services)
  if (projector) stops.push(projector.stop)
  if (options.reactors !== false) {
    const reactorWriteSide = await createWriteSide(services)
    const running = await startReactors({
      services,
      execute: reactorWriteSide.execute,
      readStream: reactorWriteSide.store.readStream,
      clock: Date.now,
    })
    stops.unshift(reactorWriteSide.close)
    stops.unshift(running.stop)
    stops.unshift(startHitlExpiry({ services, execute: reactorWriteSide.execute, intervalMs: config.hitl.expiryIntervalMs }).stop)
  }
  if (options.queueLoops?.length) {
    const loopsWriteSide = await createWriteSide(services)
    const loops = startQueueLoops(services, loopsWriteSide.execute, options.queueLoops)
    stops.unshift(loopsWriteSide.close)
    stops.unshift(loops.stop)
  }
  const api = options.api === false ? undefined : await startApi(services)
  if (api) stops.unshift(api.stop)

  const writeSide = async (overrides?: WriteSideOverrides) => {
    const w = await createWriteSide(services, overrides)
    stops.unshift(w.close)
    return w
  }
  let poolWriter: Promise<WriteSide> | undefined
  const createPools = async (names: readonly string[], mode: PoolMode = 'pull') => {
    poolWriter ??= writeSide()
    const w = await poolWriter
    for (const name of names) {
      const config = { mode, role: name, handler: defaultHandler, handlerConfig: {}, ...poolNumberDefaults }
      const ctx = { commandId: `create-pool-${name}`, correlationId: `pools-${id}`, causationId: null, actor: 'test' }
      await w.execute('pool', name, poolDecider, { type: 'CreatePool', commandId: ctx.commandId, config }, ctx)
    }
    if (options.projector !== false)
      await waitFor(
        async () => (await Promise.all(names.map((n) => getPool(services.db, n)))).every(Boolean),
        `pools ${names.join(', ')} projected`,
      )
    // No projector runs: the pools' rows as the pools projection makes them, so the API knows the pools.
    else
      for (const name of names) {
        const row = (await w.store.readStream('pool', name)).reduce<PoolRow | undefined>(poolsProjection.project, undefined)
        if (row)
          await services.db
            .insertInto('pools')
            .values(row as never)
            .execute()
      }
  }
  if (options.pools?.length) await createPools(options.pools)
  if (options.projects?.length) {
    poolWriter ??= writeSide()
    const w = await poolWriter
    for (const projectId of options.projects) {
      const ctx = { commandId: `create-project-${projectId}`, correlationId: `projects-${id}`, causationId: null, actor: 'test' }
      const create = { type: 'CreateProject', commandId: ctx.commandId, name: projectId, description: null, metadata: {} } as const
      await w.execute('project', projectId, projectDecider, create, ctx)
    }
    await waitFor(
      async () => (await Promise.all(options.projects!.map((p) => getProject(services.db, p)))).every(Boolean),
      `projects ${options.projects.join(', ')} projected`,
    )
  }

  return {
    id,
    config,
    env,
    services,
    baseUrl: api ? `http://127.0.0.1:${api.port}` : '',
    writeSide,
    createPools,
    stop: async () => {
      for (const stop of stops) await stop().catch(() => undefined)
      await dropNamespace(services)
      await services.close()
    },
  }
}

/** Polls until `check` returns a value that is not undefined/false. Never sleeps blindly. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, pause))
  }
}

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

/** Sum of high watermarks of the harness' topics: "nothing was appended" checks compare it. */
export async function logEnd(h: Harness, aggregate = 'task'): Promise<number> {
  const topic = `${h.config.kafka.topicPrefix}.${aggregate}.events`
  const offsets = await topicOffsets(h.services.admin, topic)
  return offsets.reduce((sum, o) => sum + Number(o.high), 0)
}
