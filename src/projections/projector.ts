import type { Config } from '../config.ts'
import type { Services } from '../infra/services.ts'
import { projections } from './catalog.ts'
import type { ProjectorGroup } from './group-apply.ts'
import { projectionPlacements, resolveGroups } from './groups.ts'
import { alignGroup } from './log-identity.ts'
import { createProjectorRunner } from './runner.ts'

/** The configured projector groups, resolved against the projection catalog. */
export const configuredGroups = (config: Pick<Config, 'projector'>): ProjectorGroup[] => resolveGroups(config.projector.groups, projections)

/** Every projection with its configured group. */
export const configuredPlacements = (config: Pick<Config, 'projector'>) => projectionPlacements(configuredGroups(config))

/** The projector process role: the given groups (every configured group by default), each its own consumer group. */
export async function startProjector(
  services: Services,
  groups: readonly ProjectorGroup[] = configuredGroups(services.config),
): Promise<{ stop: () => Promise<void> }> {
  const runners = groups.map((group) =>
    createProjectorRunner({
      kafka: services.kafka,
      db: services.db,
      codec: services.codec,
      group,
      topicPrefix: services.config.kafka.topicPrefix,
      schema: services.config.postgres.schema,
      logger: services.logger,
      align: (topics) => alignGroup(services, group.consumer, topics),
    }),
  )
  await Promise.all(runners.map((r) => r.start()))
  return {
    stop: async () => {
      await Promise.all(runners.map((r) => r.stop()))
    },
  }
}
