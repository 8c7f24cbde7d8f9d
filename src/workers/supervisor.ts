import type { CommandHandler } from '../commands/handle-command.ts'
import { createDispatchChannel } from '../dispatch/dispatch-channel.ts'
import { ValidationError } from '../errors.ts'
import type { Services } from '../infra/services.ts'
import { createPoolGroup, type PoolGroup } from './pool-group.ts'
import type { PoolSettings } from './pool-settings.ts'
import { createWorkerRegistry } from './worker-registry.ts'

export type SupervisorOptions = Readonly<{
  /** appends PoolScaled (RecordScaling) for each decision */
  execute: CommandHandler
  /** CLI arguments that make a forked process run one worker of `pool` */
  childArgs: (settings: PoolSettings, workerId: string) => string[]
}>

/**
 * The cluster primary of one or more pools: a PoolGroup per pool keeps the pool's worker
 * processes alive and scales them from the group's lag; stop drains every group.
 */
export function startSupervisor(services: Services, pools: readonly PoolSettings[], options: SupervisorOptions) {
  const { config } = services
  const channel = createDispatchChannel({
    admin: services.admin,
    registry: services.registry,
    registryUrl: config.registryUrl,
    schemas: services.schemas,
    prefix: config.kafka.topicPrefix,
    partitions: config.workers.dispatchPartitions,
  })
  const registry = createWorkerRegistry({ db: services.db })
  let seq = 0
  const groups = new Map<string, PoolGroup>()
  const create = (settings: PoolSettings) => {
    // Two groups of one pool would share its consumer group and fight over its scale.
    if (groups.has(settings.pool)) throw new ValidationError(`pool ${settings.pool} is given twice`)
    const group = createPoolGroup({ settings, services, channel, registry, ...options, nextWorkerSeq: () => ++seq })
    groups.set(settings.pool, group)
    return group
  }
  for (const settings of pools) create(settings)

  return {
    async start(): Promise<void> {
      for (const group of groups.values()) await group.start()
    },
    /** Starts a group for one more pool. */
    async add(settings: PoolSettings): Promise<void> {
      await create(settings).start()
    },
    reconfigure(settings: PoolSettings, replaceWorkers: boolean): void {
      groups.get(settings.pool)?.reconfigure(settings, replaceWorkers)
    },
    /** Drains and stops one pool's group. */
    async remove(pool: string): Promise<void> {
      const group = groups.get(pool)
      groups.delete(pool)
      await group?.stop()
    },
    pools: () => [...groups.keys()],
    workers: () => [...groups.values()].map((group) => ({ pool: group.pool, workers: group.workers() })),
    /** Drains every worker (finish in-flight within the deadline, commit, exit); kills the stragglers. */
    async stop(): Promise<void> {
      await Promise.all([...groups.values()].map((group) => group.stop()))
    },
  }
}

export type Supervisor = ReturnType<typeof startSupervisor>
