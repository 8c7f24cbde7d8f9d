import type { CommandHandler } from '../commands/handle-command.ts'
import type { AggregateType } from '../events/envelope.ts'
import type { Db } from '../infra/postgres.ts'
import type { Logger } from '../infra/logger.ts'
import type { Reaction } from './reactor.ts'

/** What a process manager may use to react: the append path, the read models, a clock. */
export type ProcessManagerDeps = Readonly<{
  execute: CommandHandler
  db: Db
  logger: Logger
  clock: () => number
}>

/** A process manager: reacts to the events of some aggregates, typically with idempotent commands. */
export type ProcessManager = Readonly<{
  /** names its consumer group `<prefix>.reactor.<name>` */
  name: string
  aggregates: readonly AggregateType[]
  create: (deps: ProcessManagerDeps) => Reaction
}>

/** Every process manager the system runs, by name. */
export const reactors: readonly ProcessManager[] = []

export const reactorByName = (name: string, list: readonly ProcessManager[] = reactors): ProcessManager | undefined => list.find((r) => r.name === name)
