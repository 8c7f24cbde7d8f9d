import type { Kafka } from 'kafkajs'
import type { Db } from '../database/schema.ts'
import type { EventCodec } from '../events/avro-codec.ts'
import { subscribe, type Subscription } from '../eventstore/subscription.ts'
import { AppError } from '../errors.ts'
import { eventTopic } from '../events/topics.ts'
import type { Logger } from '../infra/logger.ts'
import { describeMisalignment, type AlignmentProblem } from './log-alignment.ts'
import { partitionKey, readCheckpoints } from './checkpoints.ts'
import { applyToGroup, type GroupOutcome, type ProjectorGroup } from './group-apply.ts'
import { projectorGroupId } from './groups.ts'
import { projectionChannel } from './read-your-writes.ts'
import { createHeadsCache } from './stream-heads.ts'

export type ProjectorRunnerDeps = Readonly<{
  kafka: Kafka
  db: Db
  codec: EventCodec
  group: ProjectorGroup
  topicPrefix: string
  /** the read models' schema: waiting reads listen on its channel */
  schema: string
  logger: Logger
  /** checks the group's checkpoints against the log (see alignGroup); the group refuses to run when any problem comes back */
  align?: (topics: readonly string[]) => Promise<AlignmentProblem[]>
  onUnit?: (outcome: GroupOutcome & { events: number; ms: number }) => void
}>

/**
 * One projector group: one Kafka consumer group whose units of work (the batches of every
 * partition fetched together) are applied to all of the group's projections in one Postgres
 * transaction with the group's checkpoints. Assigned partitions resume at those checkpoints;
 * Kafka's committed offsets only serve monitoring (lag in Kafka UI).
 */
export function createProjectorRunner(deps: ProjectorRunnerDeps) {
  const { group } = deps
  const log = deps.logger.child({ projector: group.consumer })
  const heads = createHeadsCache()
  const channel = projectionChannel(deps.schema)
  const aggregates = [...new Set(group.projections.flatMap((p) => p.aggregates))]
  let subscription: Subscription | undefined

  return {
    async start(): Promise<void> {
      const problems = (await deps.align?.(aggregates.map((a) => eventTopic(deps.topicPrefix, a)))) ?? []
      if (problems.length > 0)
        throw new AppError('projector.misaligned', describeMisalignment(group.consumer, problems), { details: { problems } })
      subscription = await subscribe(deps, {
        groupId: projectorGroupId(deps.topicPrefix, group.consumer),
        aggregates,
        positions: async () =>
          new Map((await readCheckpoints(deps.db, group.consumer)).map((c) => [partitionKey(c.topic, c.partition), c.next_offset])),
        onAssignment: () => heads.clear(),
        handle: async (batches) => {
          const started = performance.now()
          const outcome = await deps.db.transaction().execute((tx) => applyToGroup(tx, group, batches, heads, { notify: channel }))
          heads.remember(outcome.heads)
          for (const c of outcome.conflicts) {
            log.error(
              { stream: c.stream, kind: c.kind, version: c.event.meta.version, expected: c.expected, eventId: c.event.meta.eventId },
              'event conflict: skipped',
            )
          }
          deps.onUnit?.({ ...outcome, events: batches.reduce((n, b) => n + b.events.length, 0), ms: performance.now() - started })
        },
      })
      log.info({ projections: group.projections.map((p) => p.name) }, 'projector group running')
    },
    async stop(): Promise<void> {
      await subscription?.stop()
    },
  }
}

export type ProjectorRunner = ReturnType<typeof createProjectorRunner>
