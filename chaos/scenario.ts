import { bringUp } from './bring-up.ts'
import type { Cleanup } from './cleanup.ts'
import { startEnvironment } from './environment.ts'
import { runFaults } from './fault-phase.ts'
import { selectFaults } from './faults/catalog.ts'
import { finalChecks } from './final-checks.ts'
import { createLedger, startLoad } from './ledger.ts'
import { killLeftovers } from './leftovers.ts'
import { tunedSettings } from './namespace.ts'
import type { ChaosOptions } from './options.ts'
import { createProbes } from './probes.ts'
import { startProgress } from './progress.ts'
import type { Check } from './report.ts'
import { createRoles, stopRoles } from './roles.ts'
import { settle } from './settle.ts'
import { seconds, sleep } from './wait.ts'

const pool = 'chaos'
const pullPool = 'chaos-pull'

/**
 * One chaos run: a world of its own, every role as a process, steady load through the API, the
 * faults one after the other (each restarted and its recovery timed), then settle and check.
 * Whatever happens, `cleanup` stops the roles, drops the namespace and stops the broker.
 */
export async function runChaos(options: ChaosOptions, cwd: string, cleanup: Cleanup, log: (line: string) => void): Promise<Check[]> {
  const chosen = selectFaults(options.short, options.only)
  log(`faults: ${chosen.map((f) => f.name).join(', ')}${options.rounds > 1 ? ` (× ${options.rounds} rounds)` : ''}; load ${options.rate}/s`)
  log(
    `settings shortened for the run: ${Object.entries(tunedSettings)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  )

  const env = await startEnvironment(cleanup, options.keep, log)
  const { db } = env.services
  const url = `http://127.0.0.1:${env.ns.port}`
  const roles = createRoles({ env: env.ns.env, cwd, logDir: env.logDir, pool })
  const stopDeadlineMs = Number(tunedSettings.AGENTFLEET_WORKER_SHUTDOWN_MS) + 15_000
  cleanup.add('roles', async () => {
    await stopRoles(roles, stopDeadlineMs)
    const killed = killLeftovers(env.ns.prefix, env.sideEffectsDir)
    if (killed > 0) log(`cleanup: killed ${killed} process(es) of the run still alive`)
  })
  const ledger = createLedger({ url, runId: env.ns.id, pool })
  cleanup.add('clients', async () => ledger.giveUp())
  const probes = createProbes({ ledger, db, url, pullPool, timeoutMs: options.recoveryTimeoutMs })

  log(`starting the roles (api on ${url}; role output in ${env.logDir})`)
  await bringUp({ roles, url, db, pool, pullPool, sideEffectsDir: env.sideEffectsDir, probes, log })

  const loadStartedAt = Date.now()
  const load = startLoad(ledger, options.rate)
  cleanup.add('load', async () => load.stop())
  const progress = startProgress({ ledger, db, log })
  cleanup.add('progress', async () => progress.stop())
  await sleep(options.warmupMs)
  const records = await runFaults({
    faults: chosen,
    rounds: options.rounds,
    gapMs: options.gapMs,
    ctx: {
      roles,
      broker: env.broker,
      brokerPort: env.brokerPort,
      probes,
      sideEffectsDir: env.sideEffectsDir,
      db,
      redis: env.services.redis,
      tag: env.ns.tag,
      redisPrefix: env.ns.redisPrefix,
      downtimeMs: options.downtimeMs,
      recoveryTimeoutMs: options.recoveryTimeoutMs,
      log,
    },
    onFault: progress.phase,
    log,
  })
  progress.phase('load after the faults')
  await sleep(Math.max(options.gapMs, options.minLoadMs - (Date.now() - loadStartedAt)))
  load.stop()

  progress.phase('settling')
  log(`load stopped after ${seconds(Date.now() - loadStartedAt)}; settling (at most ${seconds(options.settleMs)})`)
  const settledIn = await settle(ledger, db, options.settleMs)
  progress.stop()
  log(`settled in ${seconds(settledIn)}`)

  return finalChecks({
    env,
    roles,
    ledger,
    faults: records,
    url,
    cwd,
    stopDeadlineMs,
    recoveryTimeoutMs: options.recoveryTimeoutMs,
    log,
  })
}
