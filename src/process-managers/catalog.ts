import { queueFeeder } from '../queue/queue-feeder.reactor.ts'
import { retryScheduler } from '../queue/retry/retry-scheduler.reactor.ts'
import type { ProcessManager, ProcessManagerDeps } from './process-manager.ts'
import { createReactor, type Reactor } from './reactor.ts'

export type { ProcessManager, ProcessManagerDeps }

/** Every process manager `agentfleet process-managers` runs, by name. */
export const reactors: readonly ProcessManager[] = [
  queueFeeder,
  retryScheduler,
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
