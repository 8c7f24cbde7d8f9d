import type { Db } from '../src/infra/postgres.ts'
import { childrenOf, commandLine } from './proc.ts'
import type { Probes } from './probes.ts'
import type { Roles } from './roles.ts'
import { sideEffectHandlerConfig } from './side-effects.ts'
import { seconds, waitFor } from './wait.ts'

export const workerProcesses = 2

/**
 * Starts the roles in the order a deployment needs them: api, projector, reactors and loops
 * together; then the pool is created over the API (the `command` handler running the
 * side-effect script, two worker processes); once the pools read model has it, its worker group;
 * then a first probe task must complete end to end.
 */
export async function bringUp(deps: {
  roles: Roles
  url: string
  db: Db
  pool: string
  pullPool: string
  sideEffectsDir: string
  probes: Probes
  log: (line: string) => void
}): Promise<void> {
  const { roles, url, log } = deps
  const began = Date.now()
  for (const r of ['api', 'projector', 'reactors', 'loops'] as const) roles[r].start()
  const ready = await waitFor(async () => ((await fetch(`${url}/health/ready`)).ok ? true : undefined), 60_000, 200)
  if (!ready) throw new Error(`the API did not become ready at ${url} within 60 s; see ${roles.api.logPath}`)

  const body = {
    name: deps.pool,
    role: deps.pool,
    handler: 'command',
    handlerConfig: sideEffectHandlerConfig(deps.sideEffectsDir),
    maxAgentsPerProcess: 4,
    minWorkers: workerProcesses,
    maxWorkers: workerProcesses,
    scaleIntervalMs: 2_000,
  }
  await createPool(url, deps.db, body)
  // The lease probes' pool: remote agents claim its tasks over HTTP, no worker group runs it.
  await createPool(url, deps.db, { name: deps.pullPool, role: deps.pullPool, mode: 'pull' })

  roles.workers.start()
  const forked = await waitFor(
    async () =>
      childrenOf(roles.workers.pid() ?? -1).filter((p) => commandLine(p).includes('--child')).length >= workerProcesses ? true : undefined,
    30_000,
  )
  if (!forked) throw new Error(`the worker group did not fork ${workerProcesses} worker processes; see ${roles.workers.logPath}`)
  const warm = await deps.probes.completed('warm-up', Date.now())
  if (warm === undefined) throw new Error(`a first task did not complete; see the role logs in ${roles.workers.logPath}`)
  log(`every role is up; a first task completed end to end in ${seconds(warm)} (${seconds(Date.now() - began)} since the roles started)`)
}

/** Creates a pool over the API (retried while the API warms up) and waits for the pools read model to list it. */
async function createPool(url: string, db: Db, body: { name: string } & Record<string, unknown>): Promise<void> {
  let answer = 'no answer'
  const created = await waitFor(async () => {
    const response = await fetch(`${url}/api/v1/pools`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `pool-${body.name}` },
      body: JSON.stringify(body),
    })
    answer = `${response.status} ${await response.text()}`
    return response.ok ? true : undefined
  }, 30_000)
  if (!created) throw new Error(`pool ${body.name} could not be created within 30 s: ${answer}`)
  const projected = await waitFor(
    async () => ((await db.selectFrom('pools').select('name').where('name', '=', body.name).executeTakeFirst()) ? true : undefined),
    30_000,
  )
  if (!projected) throw new Error(`pool ${body.name} did not reach the pools read model within 30 s`)
}
