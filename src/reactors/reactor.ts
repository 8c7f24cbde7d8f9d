import type { CommandHandler } from '../commands/handle-command.ts'
import type { AggregateType } from '../events/envelope.ts'
import type { Services } from '../infra/services.ts'
import type { Reaction } from './runner.ts'

/** What a process manager may use to react: the connected services, the append path, a clock. */
export type ProcessManagerDeps = Readonly<{
  services: Services
  execute: CommandHandler
  clock: () => number
}>

/** A reaction that owns resources (a producer, a connection) to release when it stops. */
export type ReactionHandle = Readonly<{ react: Reaction; stop: () => Promise<void> }>

/** The reaction of a created process manager and how to release what it owns. */
export const openReaction = (created: Reaction | ReactionHandle): ReactionHandle =>
  typeof created === 'function' ? { react: created, stop: async () => undefined } : created

/** A process manager: reacts to the events of some aggregates, typically with idempotent commands. */
export type ProcessManager = Readonly<{
  /** names its consumer group `<prefix>.reactor.<name>` */
  name: string
  aggregates: readonly AggregateType[]
  create: (deps: ProcessManagerDeps) => Reaction | ReactionHandle | Promise<Reaction | ReactionHandle>
}>
