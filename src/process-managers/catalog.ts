import type { CommandHandler } from '../commands/handle-command.ts'
import type { AggregateType } from '../events/envelope.ts'
import type { Services } from '../infra/services.ts'
import { createReactor, type Reaction, type Reactor } from './reactor.ts'
import { createDependencyReaction } from './dependencies/dependencies.reactor.ts'
import { createDependencyStore } from './dependencies/dependency-store.ts'

/** What a process manager gets to build its reaction. */
export type ReactorDeps = Readonly<{ services: Services; execute: CommandHandler }>

/** A process manager: reacts to the events of some aggregates, usually by issuing commands. */
export type ReactorSpec = Readonly<{
  name: string
  aggregates: readonly AggregateType[]
  create: (deps: ReactorDeps) => Reaction | Promise<Reaction>
}>

/** Every process manager `agentfleet process-managers` runs, by name. */
export const reactors: readonly ReactorSpec[] = [
  {
    name: 'dependencies',
    aggregates: ['task'],
    create: ({ services, execute }) => createDependencyReaction({ store: createDependencyStore(services.db), execute, logger: services.logger.child({ reactor: 'dependencies' }) }),
  },
]

export const reactorByName = (name: string): ReactorSpec | undefined => reactors.find((r) => r.name === name)

/** Starts the given process managers, each in its own consumer group. */
export async function startReactors(deps: ReactorDeps, specs: readonly ReactorSpec[] = reactors): Promise<{ stop: () => Promise<void> }> {
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
