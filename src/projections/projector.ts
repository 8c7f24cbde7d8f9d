import type { Services } from '../infra/services.ts'
import { projections as all } from './catalog.ts'
import type { Projection } from './projection.ts'
import { createProjectionRunner, type ProjectionRunner } from './runner.ts'

/** The projector process role: one runner (consumer group) per projection. */
export async function startProjector(services: Services, selected: readonly Projection[] = all): Promise<{ stop: () => Promise<void> }> {
  const runners: ProjectionRunner[] = selected.map((projection) => createProjectionRunner({
    kafka: services.kafka, db: services.db, codec: services.codec, projection,
    topicPrefix: services.config.kafka.topicPrefix, logger: services.logger,
  }))
  await Promise.all(runners.map((r) => r.start()))
  services.logger.info({ projections: selected.map((p) => p.name) }, 'projector running')
  return { stop: async () => { await Promise.all(runners.map((r) => r.stop())) } }
}
