import type { CommandHandler } from '../commands/handle-command.ts'
import type { AggregateType } from '../events/envelope.ts'
import type { Services } from '../infra/services.ts'
import { cancellationsReactor } from './dispatcher/cancellations.reactor.ts'
import { dispatcherReactor } from './dispatcher/dispatcher.reactor.ts'
import { createReactor, type Reaction, type Reactor } from './reactor.ts'

/** What a process manager gets to build its reaction. */
export type ReactorDeps = Readonly<{ services: Services; execute: CommandHandler }>

/** A reaction that owns resources (a producer, a connection) to release when it stops. */
export type ReactionHandle = Readonly<{ react: Reaction; stop: () => Promise<void> }>

/** A process manager: reacts to the events of some aggregates, usually by issuing commands. */
export type ReactorSpec = Readonly<{
  name: string
  aggregates: readonly AggregateType[]
  create: (deps: ReactorDeps) => Reaction | ReactionHandle | Promise<Reaction | ReactionHandle>
}>

/** Every process manager `agentfleet process-managers` runs, by name. */
export const reactors: readonly ReactorSpec[] = [
  dispatcherReactor,
  cancellationsReactor,
]

export const reactorByName = (name: string): ReactorSpec | undefined => reactors.find((r) => r.name === name)

/** Starts the given process managers, each in its own consumer group. */
export async function startReactors(deps: ReactorDeps, specs: readonly ReactorSpec[] = reactors): Promise<{ stop: () => Promise<void> }> {
  const { services } = deps
  const running: Reactor[] = []
  const owned: (() => Promise<void>)[] = []
  for (const spec of specs) {
    const created = await spec.create(deps)
    if (typeof created !== 'function') owned.push(created.stop)
    const reactor = createReactor({
      kafka: services.kafka, codec: services.codec, name: spec.name, aggregates: spec.aggregates,
      topicPrefix: services.config.kafka.topicPrefix, logger: services.logger, react: typeof created === 'function' ? created : created.react,
    })
    await reactor.start()
    running.push(reactor)
  }
  if (specs.length > 0) services.logger.info({ reactors: specs.map((s) => s.name) }, 'process managers running')
  return { stop: async () => { await Promise.all(running.map((r) => r.stop())); await Promise.all(owned.map((stop) => stop())) } }
}
