import type { Config } from '../config.ts'
import { resolveGroups } from '../eventstore/consumer-groups.ts'
import { queueFeeder } from '../queue/queue-feeder.reactor.ts'
import { retryScheduler } from '../queue/retry/retry-scheduler.reactor.ts'
import { createDependencyReaction } from './dependencies/dependencies.reactor.ts'
import { createDependencyStore } from './dependencies/dependency-store.ts'
import { cancellationsReactor } from './dispatcher/cancellations.reactor.ts'
import { dispatcherReactor } from './dispatcher/dispatcher.reactor.ts'
import { hitlTaskReactor } from './hitl/hitl-task.reactor.ts'
import type { Reactor, ReactorDeps } from './reactor.ts'
import { createReactorRunner, type RunningReactor } from './runner.ts'
import { workflowStepsReactor } from './workflow/workflow-steps.reactor.ts'
import { workflowTasksReactor } from './workflow/workflow-tasks.reactor.ts'

/** Every reactor `agentfleet reactors` runs, by name. */
export const reactors: readonly Reactor[] = [
  queueFeeder,
  retryScheduler,
  hitlTaskReactor,
  workflowTasksReactor,
  workflowStepsReactor,
  {
    name: 'dependencies',
    aggregates: ['task'],
    create: ({ services, execute }) => ({
      react: createDependencyReaction({
        store: createDependencyStore(services.db),
        execute,
        logger: services.logger.child({ reactor: 'dependencies' }),
      }),
    }),
  },
  dispatcherReactor,
  cancellationsReactor,
]

export const reactorByName = (name: string, list: readonly Reactor[] = reactors): Reactor | undefined => list.find((r) => r.name === name)

export type ReactorGroup = Readonly<{ name: string; reactors: readonly Reactor[] }>

/** The configured reactor groups (AGENTFLEET_REACTOR_GROUPS): every reactor in exactly one. */
export const configuredReactorGroups = (config: Pick<Config, 'reactors'>, catalog: readonly Reactor[] = reactors): ReactorGroup[] =>
  resolveGroups(config.reactors.groups, catalog, { kind: 'reactor', setting: 'AGENTFLEET_REACTOR_GROUPS' }).map((g) => ({
    name: g.name,
    reactors: g.members,
  }))

/** Starts reactor groups (every configured one by default), each one consumer group. */
export async function startReactors(
  deps: ReactorDeps,
  groups: readonly ReactorGroup[] = configuredReactorGroups(deps.services.config),
): Promise<{ stop: () => Promise<void> }> {
  const { services } = deps
  const created: RunningReactor[][] = []
  for (const g of groups) created.push(await Promise.all(g.reactors.map(async (spec) => ({ spec, instance: await spec.create(deps) }))))
  const runners = groups.map((g, i) =>
    createReactorRunner({
      kafka: services.kafka,
      codec: services.codec,
      topicPrefix: services.config.kafka.topicPrefix,
      logger: services.logger,
      group: g.name,
      reactors: created[i]!,
    }),
  )
  await Promise.all(runners.map((r) => r.start()))
  return {
    stop: async () => {
      await Promise.all(runners.map((r) => r.stop()))
      await Promise.all(created.flat().map((r) => r.instance.stop?.()))
    },
  }
}
