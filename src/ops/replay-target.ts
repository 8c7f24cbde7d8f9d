import { createWriteSide } from '../commands/write-side.ts'
import { AppError } from '../errors.ts'
import type { Services } from '../infra/services.ts'
import { reactors as allReactors, reactorByName } from '../reactors/catalog.ts'
import type { Reactor } from '../reactors/reactor.ts'
import { projectionByName } from '../projections/catalog.ts'
import type { ReplayTarget } from './replay.ts'

export type TargetChoice = Readonly<{ projection?: string; reactor?: string }>

/**
 * The one projection or reactor a replay delivers to. A reactor gets a real
 * write side (its reactions issue commands); `close` releases it.
 */
export async function resolveReplayTarget(
  services: Services,
  choice: TargetChoice,
  catalog: readonly Reactor[] = allReactors,
): Promise<{ target: ReplayTarget; close: () => Promise<void> }> {
  if ((choice.projection === undefined) === (choice.reactor === undefined))
    throw new AppError('replay.bad-target', 'name exactly one of --projection or --reactor')
  if (choice.projection !== undefined) {
    const projection = projectionByName(choice.projection)
    if (!projection) throw new AppError('projection.unknown', `unknown projection ${choice.projection}`)
    return { target: { kind: 'projection', projection }, close: async () => undefined }
  }
  const reactor = reactorByName(choice.reactor!, catalog)
  if (!reactor)
    throw new AppError(
      'reactor.unknown',
      `unknown reactor ${choice.reactor}${catalog.length ? ` (known: ${catalog.map((r) => r.name).join(', ')})` : ' (none registered)'}`,
    )
  await services.codec.resolveIds()
  const writeSide = await createWriteSide(services)
  const { react, stop } = await reactor.create({
    services: { ...services, logger: services.logger.child({ reactor: reactor.name, replay: true }) },
    execute: writeSide.execute,
    readStream: writeSide.store.readStream,
    clock: Date.now,
  })
  return {
    target: { kind: 'reactor', name: reactor.name, aggregates: reactor.aggregates, react },
    close: async () => {
      await stop?.()
      await writeSide.close()
    },
  }
}
