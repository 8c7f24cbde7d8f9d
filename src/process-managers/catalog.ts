import type { CommandHandler } from '../commands/handle-command.ts'
import type { AggregateType } from '../events/envelope.ts'
import type { Services } from '../infra/services.ts'
import { cancellationsReactor } from './dispatcher/cancellations.reactor.ts'
import { dispatcherReactor } from './dispatcher/dispatcher.reactor.ts'
import { createReactor, type Reaction, type Reactor } from './reactor.ts'

/** What a process manager may use to react: the connected services, the append path, a clock. */
export type ProcessManagerDeps = Readonly<{
  services: Services
  execute: CommandHandler
  clock: () => number
}>

/** A reaction that owns resources (a producer, a connection) to release when it stops. */
export type ReactionHandle = Readonly<{ react: Reaction; stop: () => Promise<void> }>

/** A process manager: reacts to the events of some aggregates, typically with idempotent commands. */
export type ProcessManager = Readonly<{
  /** names its consumer group `<prefix>.reactor.<name>` */
  name: string
  aggregates: readonly AggregateType[]
  create: (deps: ProcessManagerDeps) => Reaction | ReactionHandle | Promise<Reaction | ReactionHandle>
}>

/** The reaction of a created process manager and how to release what it owns. */
export const openReaction = (created: Reaction | ReactionHandle): ReactionHandle =>
  typeof created === 'function' ? { react: created, stop: async () => undefined } : created

/** Every process manager `agentfleet process-managers` runs, by name. */
export const reactors: readonly ProcessManager[] = [
  dispatcherReactor,
  cancellationsReactor,
]

export const reactorByName = (name: string, list: readonly ProcessManager[] = reactors): ProcessManager | undefined => list.find((r) => r.name === name)

/** Starts the given process managers, each in its own consumer group. */
export async function startReactors(deps: ProcessManagerDeps, specs: readonly ProcessManager[] = reactors): Promise<{ stop: () => Promise<void> }> {
  const { services } = deps
  const running: Reactor[] = []
  const owned: (() => Promise<void>)[] = []
  for (const spec of specs) {
    const created = openReaction(await spec.create(deps))
    owned.push(created.stop)
    const reactor = createReactor({
      kafka: services.kafka, codec: services.codec, name: spec.name, aggregates: spec.aggregates,
      topicPrefix: services.config.kafka.topicPrefix, logger: services.logger, react: created.react,
    })
    await reactor.start()
    running.push(reactor)
  }
  if (specs.length > 0) services.logger.info({ reactors: specs.map((s) => s.name) }, 'process managers running')
  return { stop: async () => { await Promise.all(running.map((r) => r.stop())); await Promise.all(owned.map((stop) => stop())) } }
}
