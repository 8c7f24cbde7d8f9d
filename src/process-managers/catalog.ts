import type { CommandHandler } from '../commands/handle-command.ts'
import type { AggregateType } from '../events/envelope.ts'
import type { Services } from '../infra/services.ts'
import { createReactor, type Reaction, type Reactor } from './reactor.ts'
import { createDependencyReaction } from './dependencies/dependencies.reactor.ts'
import { createDependencyStore } from './dependencies/dependency-store.ts'

/** What a process manager may use to react: the connected services, the append path, a clock. */
export type ProcessManagerDeps = Readonly<{
  services: Services
  execute: CommandHandler
  clock: () => number
}>

/** A process manager: reacts to the events of some aggregates, typically with idempotent commands. */
export type ProcessManager = Readonly<{
  /** names its consumer group `<prefix>.reactor.<name>` */
  name: string
  aggregates: readonly AggregateType[]
  create: (deps: ProcessManagerDeps) => Reaction | Promise<Reaction>
}>

/** Every process manager `agentfleet process-managers` runs, by name. */
export const reactors: readonly ProcessManager[] = [
  {
    name: 'dependencies',
    aggregates: ['task'],
    create: ({ services, execute }) => createDependencyReaction({ store: createDependencyStore(services.db), execute, logger: services.logger.child({ reactor: 'dependencies' }) }),
  },
]

export const reactorByName = (name: string, list: readonly ProcessManager[] = reactors): ProcessManager | undefined => list.find((r) => r.name === name)

/** Starts the given process managers, each in its own consumer group. */
export async function startReactors(deps: ProcessManagerDeps, specs: readonly ProcessManager[] = reactors): Promise<{ stop: () => Promise<void> }> {
  const { services } = deps
  const running: Reactor[] = []
  for (const spec of specs) {
    const reactor = createReactor({
      kafka: services.kafka, codec: services.codec, name: spec.name, aggregates: spec.aggregates,
      topicPrefix: services.config.kafka.topicPrefix, logger: services.logger, react: await spec.create(deps),
    })
    await reactor.start()
    running.push(reactor)
  }
  if (specs.length > 0) services.logger.info({ reactors: specs.map((s) => s.name) }, 'process managers running')
  return { stop: async () => { await Promise.all(running.map((r) => r.stop())) } }
}
