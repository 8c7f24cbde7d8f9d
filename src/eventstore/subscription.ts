import { setImmediate as nextMacrotask } from 'node:timers/promises'
import type { Consumer, Kafka } from 'kafkajs'
import type { EventCodec } from '../events/avro-codec.ts'
import type { AggregateType, StoredEvent } from '../events/envelope.ts'
import { eventTopic } from '../events/topics.ts'
import type { Logger } from '../infra/logger.ts'
import { finishesWithin } from '../infra/finishes-within.ts'
import { retry } from '../infra/retry.ts'

export type TopicPartition = Readonly<{ topic: string; partition: number }>

/** One partition's share of a unit of work: decoded events in offset order, and the offset after the batch. */
export type EventBatch = Readonly<{ topic: string; partition: number; events: readonly StoredEvent[]; nextOffset: number }>

export type SubscriptionDeps = Readonly<{ kafka: Kafka; codec: EventCodec; topicPrefix: string; logger: Logger }>

export type SubscriptionOptions = Readonly<{
  groupId: string
  aggregates: readonly AggregateType[]
  /**
   * Handles one unit of work: the batches of every partition fetched together, each event decoded
   * once. Offsets are committed to Kafka after it resolves. A throw is retried with backoff in
   * this process (the unit is never skipped); a consumer that keeps its position elsewhere
   * (Postgres checkpoints) makes the retry exact.
   */
  handle: (batches: readonly EventBatch[]) => Promise<void>
  /** where to resume newly assigned partitions (offsets kept outside Kafka); Kafka's committed offsets otherwise */
  positions?: (partitions: readonly TopicPartition[]) => Promise<ReadonlyMap<string, number>>
  /** the assignment changed: drop what was cached about partitions this member may have lost */
  onAssignment?: (partitions: readonly TopicPartition[]) => void
  /** most events in one unit of work (default 5,000) */
  maxUnitEvents?: number
  sessionTimeoutMs?: number
}>

export type Subscription = Readonly<{ stop: () => Promise<void> }>

const key = (topic: string, partition: number) => `${topic}:${partition}`

/** How long each step of a stop (last commit, leaving the group) may take. */
const stopStepMs = 5_000

type Waiting = { batch: EventBatch; done: (error?: unknown) => void }

/**
 * A consumer group over the event topics of some aggregates that hands its owner units of work
 * rather than single partitions: the batches of all partitions that arrive together (one fetch)
 * are merged into one unit, and the next unit forms while the previous one is handled — group
 * commit for consumers. Per partition, units keep log order.
 */
export async function subscribe(deps: SubscriptionDeps, options: SubscriptionOptions): Promise<Subscription> {
  const log = deps.logger.child({ group: options.groupId })
  const topics = options.aggregates.map((a) => eventTopic(deps.topicPrefix, a))
  const maxUnit = options.maxUnitEvents ?? 5_000
  const newConsumer = (): Consumer =>
    deps.kafka.consumer({
      groupId: options.groupId,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 50,
      // A crashed member holds its partitions until the session times out: 6 s is the broker's default minimum.
      sessionTimeout: options.sessionTimeoutMs ?? 6_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 10_000,
    })
  let consumer: Consumer = newConsumer()
  let running = true
  let waiting: Waiting[] = []
  let handling = false
  let scheduled = false

  // A unit is retried until it succeeds: skipping it would lose its events for this group.
  const handleUnit = (unit: readonly Waiting[]): Promise<void> =>
    retry(() => options.handle(unit.map((w) => w.batch)), {
      retryIf: () => running,
      onRetry: (error, attempt, pauseMs) =>
        log[attempt <= 3 ? 'warn' : 'error']({ err: error, attempt, retryInMs: pauseMs }, 'unit of work failed; retrying'),
    })

  const flush = async (): Promise<void> => {
    scheduled = false
    if (handling || waiting.length === 0) return
    handling = true
    let events = 0
    let taken = 0
    while (taken < waiting.length && (taken === 0 || events + waiting[taken]!.batch.events.length <= maxUnit))
      events += waiting[taken++]!.batch.events.length
    const unit = waiting.slice(0, taken)
    waiting = waiting.slice(taken)
    try {
      await handleUnit(unit)
      for (const w of unit) w.done()
    } catch (error) {
      for (const w of unit) w.done(error)
    } finally {
      handling = false
      if (waiting.length > 0) schedule()
    }
  }
  // The batches of one fetch arrive in the same tick: wait for the next macrotask so they all join.
  const schedule = () => {
    if (scheduled || handling) return
    scheduled = true
    void nextMacrotask().then(flush)
  }
  const enqueue = (batch: EventBatch) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ batch, done: (error) => (error === undefined ? resolve() : reject(error)) })
      schedule()
    })

  // kafkajs' auto-commit sends an OffsetCommit after every partition batch; positions that
  // matter live with the owner, so Kafka's committed offsets (lag monitoring, a restart's
  // starting point) are committed once a second instead.
  const handled = new Map<string, { topic: string; partition: number; offset: string }>()
  const commit = async () => {
    if (handled.size === 0) return
    const offsets = [...handled.values()]
    handled.clear()
    await consumer.commitOffsets(offsets).catch((error: unknown) => log.debug({ err: error }, 'offset commit deferred (rebalance)'))
  }

  /**
   * kafkajs restarts a consumer by itself after a retriable crash but gives up on a non-retriable
   * one (e.g. "Failed to find group coordinator" while a broker restarts), and the process would
   * live on consuming nothing. Such a consumer is replaced by a new one, with growing pauses, for
   * as long as the subscription runs. Records the old one handed over and the new one redelivers
   * are filtered by the owner's positions, as after any rebalance.
   */
  let restarts = 0
  let replacement: NodeJS.Timeout | undefined
  const replaceLater = (error: unknown) => {
    if (!running) return
    const pauseMs = Math.min(30_000, 500 * 2 ** restarts++)
    log.warn({ err: error, restartInMs: pauseMs }, 'consumer gave up after a crash; replacing it')
    handled.clear()
    const old = consumer
    replacement = setTimeout(() => {
      if (!running) return
      void old.disconnect().catch(() => undefined)
      consumer = newConsumer()
      start(consumer).catch(replaceLater)
    }, pauseMs)
  }

  const start = async (c: Consumer): Promise<void> => {
    c.on(c.events.CRASH, ({ payload }) => {
      if (!payload.restart && c === consumer) replaceLater(payload.error)
    })
    c.on(c.events.GROUP_JOIN, ({ payload }) => {
      restarts = 0
      const assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      )
      options.onAssignment?.(assigned)
      if (!options.positions || assigned.length === 0) return
      // Seeking is an optimisation (fewer records fetched twice): the owner filters by its own positions.
      options.positions(assigned).then(
        (positions) => {
          for (const p of assigned) {
            const at = positions.get(key(p.topic, p.partition))
            if (at !== undefined) c.seek({ topic: p.topic, partition: p.partition, offset: String(at) })
          }
        },
        (error: unknown) => log.warn({ err: error }, 'could not read stored positions; resuming from committed offsets'),
      )
    })
    await c.connect()
    await c.subscribe({ topics, fromBeginning: true })
    await c.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 64,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isStale, isRunning }) => {
        if (!isRunning() || isStale() || batch.isEmpty()) return
        const events = await deps.codec.decodeAll(batch.messages, batch.topic, batch.partition)
        await enqueue({ topic: batch.topic, partition: batch.partition, events, nextOffset: Number(batch.lastOffset()) + 1 })
        resolveOffset(batch.lastOffset())
        handled.set(key(batch.topic, batch.partition), {
          topic: batch.topic,
          partition: batch.partition,
          offset: String(Number(batch.lastOffset()) + 1),
        })
        await heartbeat()
      },
    })
  }
  const committer = setInterval(() => void commit(), 1_000)
  await start(consumer)
  return {
    /**
     * Commits and leaves the group. Both are bounded: with the coordinator unreachable kafkajs
     * would retry them for long, and a stopping process must stop; the group then treats it as
     * a crashed member, and the owner's positions make the redelivery harmless.
     */
    stop: async () => {
      running = false
      clearInterval(committer)
      // A replacement waiting for its pause would keep the process alive for up to 30 s.
      clearTimeout(replacement)
      const bounded = async (what: string, work: Promise<unknown>) => {
        if (!(await finishesWithin(work, stopStepMs))) log.warn({ afterMs: stopStepMs }, `${what} did not finish in time; stopping anyway`)
      }
      await bounded('the last offset commit', commit())
      await bounded('leaving the consumer group', consumer.disconnect())
    },
  }
}
