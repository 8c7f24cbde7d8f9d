import type { CommandHandler } from '../commands/handle-command.ts'
import type { AggregateType } from '../events/envelope.ts'
import type { Services } from '../infra/services.ts'
import type { Reaction } from './reactor.ts'

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
