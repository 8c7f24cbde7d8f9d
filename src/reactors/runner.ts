import { setTimeout as sleep } from 'node:timers/promises'
import type { Kafka } from 'kafkajs'
import type { EventCodec } from '../events/avro-codec.ts'
import type { StoredEvent } from '../events/envelope.ts'
import { subscribe, type Subscription } from '../eventstore/subscription.ts'
import type { Logger } from '../infra/logger.ts'
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
    for (let attempt = 1; ; attempt++) {
      try {
        return await instance.react(mine)
      } catch (error) {
        if (attempt >= attempts) throw error
        const pause = Math.min(2_000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2)
        log.warn({ err: error, reactor: spec.name, attempt, retryInMs: Math.round(pause) }, 'reaction failed; retrying')
        await sleep(pause)
      }
    }
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
