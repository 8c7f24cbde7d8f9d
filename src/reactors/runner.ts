import type { Kafka } from 'kafkajs'
import type { EventCodec } from '../events/avro-codec.ts'
import type { StoredEvent } from '../events/envelope.ts'
import { subscribe, type Subscription } from '../eventstore/subscription.ts'
import type { Logger } from '../infra/logger.ts'
import { retry } from '../infra/retry.ts'
import type { Reactor, ReactorInstance } from './reactor.ts'

export type RunningReactor = Readonly<{ spec: Reactor; instance: ReactorInstance }>

export type ReactorRunnerDeps = Readonly<{
  kafka: Kafka
  codec: EventCodec
  topicPrefix: string
  logger: Logger
  group: string
  reactors: readonly RunningReactor[]
  /** attempts of one reactor on one unit before the unit as a whole is handed back to be retried (default 5) */
  attempts?: number
}>

/** The Kafka consumer group of a reactor group. */
export const reactorGroupId = (prefix: string, group: string): string => `${prefix}.reactors.${group}`

/**
 * One reactor group: one consumer group whose units of work (the batches of every partition
 * fetched together, decoded once) go to all of the group's reactors side by side. Offsets are
 * committed after every reactor handled the unit: at least once, and reactions are idempotent,
 * so the effect is exactly once. A failing reactor is retried with backoff on the same unit;
 * the unit is never skipped.
 */
export function createReactorRunner(deps: ReactorRunnerDeps) {
  const log = deps.logger.child({ reactors: deps.group })
  const attempts = deps.attempts ?? 5
  const aggregates = [...new Set(deps.reactors.flatMap((r) => r.spec.aggregates))]
  let subscription: Subscription | undefined

  const run = async ({ spec, instance }: RunningReactor, events: readonly StoredEvent[]): Promise<void> => {
    const mine = events.filter((e) => spec.aggregates.includes(e.aggregateType))
    if (mine.length === 0) return
    await retry(() => instance.react(mine), {
      attempts,
      minMs: 100,
      maxMs: 2_000,
      onRetry: (error, attempt, pauseMs) =>
        log.warn({ err: error, reactor: spec.name, attempt, retryInMs: pauseMs }, 'reaction failed; retrying'),
    })
  }

  return {
    async start(): Promise<void> {
      subscription = await subscribe(deps, {
        groupId: reactorGroupId(deps.topicPrefix, deps.group),
        aggregates,
        handle: async (batches) => {
          const events = batches.flatMap((b) => b.events)
          await Promise.all(deps.reactors.map((r) => run(r, events)))
        },
      })
      log.info({ reactors: deps.reactors.map((r) => r.spec.name) }, 'reactor group running')
    },
    async stop(): Promise<void> {
      await subscription?.stop()
    },
  }
}
