import { queueFeeder } from '../queue/queue-feeder.reactor.ts'
import { retryScheduler } from '../queue/retry/retry-scheduler.reactor.ts'
import { cancellationsReactor } from './dispatcher/cancellations.reactor.ts'
import { dispatcherReactor } from './dispatcher/dispatcher.reactor.ts'
import { openReaction, type ProcessManager, type ProcessManagerDeps } from './reactor.ts'
import { createReactor, type Reactor } from './runner.ts'
import { hitlTaskReactor } from './hitl/hitl-task.reactor.ts'
import { workflowTasksReactor } from './workflow/workflow-tasks.reactor.ts'
import { workflowStepsReactor } from './workflow/workflow-steps.reactor.ts'
import { createDependencyReaction } from './dependencies/dependencies.reactor.ts'
import { createDependencyStore } from './dependencies/dependency-store.ts'

export type { ProcessManager, ProcessManagerDeps }
export { openReaction, type ReactionHandle } from './reactor.ts'

/** Every process manager `agentfleet process-managers` runs, by name. */
export const reactors: readonly ProcessManager[] = [
  queueFeeder,
  retryScheduler,
  hitlTaskReactor,
  workflowTasksReactor,
  workflowStepsReactor,
  {
    name: 'dependencies',
    aggregates: ['task'],
    create: ({ services, execute }) => createDependencyReaction({ store: createDependencyStore(services.db), execute, logger: services.logger.child({ reactor: 'dependencies' }) }),
  },
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
