import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../src/config.ts'
import { createLogger } from '../src/infra/logger.ts'
import { connectServices, type Services } from '../src/infra/services.ts'
import { dropNamespace } from '../src/ops/drop-namespace.ts'
import { prepareEnvironment } from '../src/setup.ts'
import { startPrivateBroker, type PrivateBroker } from '../test/support/private-broker.ts'
import type { Cleanup } from './cleanup.ts'
import { createChaosNamespace, type ChaosNamespace } from './namespace.ts'
import { prepareSideEffectDir } from './side-effects.ts'

export type ChaosEnvironment = Readonly<{
  broker: PrivateBroker
  brokerPort: number
  ns: ChaosNamespace
  /** the suite's own connections to the run's namespace */
  services: Services
  /** temp dir: side effects in `effects/`, role output in `logs/` */
  dir: string
  sideEffectsDir: string
  logDir: string
}>

/**
 * A run's world: its own Kafka broker, its own namespace on the shared Postgres, Redis and
 * registry (migrated, topics created, schemas registered) and a temp dir. Each part is handed to
 * `cleanup` as soon as it exists: the namespace is dropped and the broker stopped even when the
 * run fails or is interrupted; `keep` leaves the namespace and the temp dir for a look.
 */
export async function startEnvironment(cleanup: Cleanup, keep: boolean, log: (line: string) => void): Promise<ChaosEnvironment> {
  const dir = mkdtempSync(path.join(tmpdir(), 'af-chaos-'))
  cleanup.add('temp dir', async () => {
    if (keep) log(`kept: ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  })
  const sideEffectsDir = path.join(dir, 'effects')
  const logDir = path.join(dir, 'logs')
  prepareSideEffectDir(sideEffectsDir)
  mkdirSync(logDir)

  log('starting a Kafka broker of the run’s own')
  const broker = await startPrivateBroker()
  cleanup.add('private broker', () => broker.stop())
  const ns = await createChaosNamespace(broker.brokers)
  const config = loadConfig({ ...process.env, ...ns.driverEnv })
  const services = await connectServices(config, createLogger(config, 'chaos'), `${ns.prefix}-driver`, { resolveSchemas: false })
  cleanup.add('namespace', async () => {
    if (keep) log(`kept namespace ${ns.prefix} (schema ${ns.schema}, Redis ${ns.redisPrefix}): agentfleet namespace drop ${ns.prefix}`)
    else {
      const report = await dropNamespace(services)
      if (report.failures.length > 0) log(`namespace ${ns.prefix} not fully dropped: ${report.failures.join('; ')}`)
    }
    await services.close()
  })
  log(`namespace ${ns.prefix}: migrating, creating topics, registering schemas`)
  await prepareEnvironment(services)
  return { broker, brokerPort: Number(broker.brokers.split(':').pop()), ns, services, dir, sideEffectsDir, logDir }
}
