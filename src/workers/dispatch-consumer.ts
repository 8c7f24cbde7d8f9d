import { setImmediate as yieldToBatches, setTimeout as yieldFor } from 'node:timers/promises'
import type { Consumer, Kafka } from 'kafkajs'
import type { DispatchRecord } from '../events/generated/event-types.ts'
import type { Logger } from '../infra/logger.ts'
import type { RecordCodec } from '../dispatch/record-codec.ts'
import { laneOf, lanes, laneTopics, workerGroup } from '../dispatch/dispatch-topics.ts'
import { decideLanePauses, laneTakesRecord, type LaneState } from './lane-pauses.ts'
import { createPartitionOffsets } from './partition-offsets.ts'
import { createSlotPool } from './slot-pool.ts'
import { createStartOrder } from './start-order.ts'

export type DispatchConsumerDeps = Readonly<{
  kafka: Kafka
  prefix: string
  pool: string
  maxAgents: number
  codec: RecordCodec<DispatchRecord>
  /** runs one record; `issued` once its StartTask is on its way, so the partition's next record may start */
  run: (record: DispatchRecord, issued: () => void) => Promise<unknown>
  logger: Logger
  /** how long a lane's observed backlog keeps the lanes below it paused without new evidence */
  lagMemoryMs?: number
  /**
   * kafkajs gave up on the consumer after a non-retriable crash (e.g. no group coordinator while
   * a broker restarts): it consumes nothing more. The worker process drains and exits, and its
   * primary starts a fresh one.
   */
  onGaveUp?: (error: unknown) => void
}>

/** What the consumer tracks of one lane between batches. */
type Lane = { topic: string; pendingBatches: number; lagSeenAt: number; paused: boolean }

/**
 * One worker process' consumer of a pool's four lanes. Records are handed to `maxAgents` slots
 * (also several from one partition) and the fetch position moves on at once, while the committed
 * offset of each partition is only the lowest one still running: a crash redelivers, never skips.
 * Lanes below one with backlog are paused; everything pauses while the slots are saturated
 * (the policy is `decideLanePauses`).
 */
export function createDispatchConsumer(deps: DispatchConsumerDeps) {
  const log = deps.logger.child({ part: 'dispatch-consumer', pool: deps.pool })
  const topics = laneTopics(deps.prefix, deps.pool)
  const lagMemoryMs = deps.lagMemoryMs ?? 1_000
  const capacity = deps.maxAgents * 2
  // eachBatch returns at once (records run in slots), so a short rebalance timeout is safe and a
  // crashed member holds its partitions only for the session timeout.
  const consumer: Consumer = deps.kafka.consumer({
    groupId: workerGroup(deps.prefix, deps.pool),
    maxWaitTimeInMs: 100,
    sessionTimeout: 6_000,
    heartbeatInterval: 1_000,
    rebalanceTimeout: 5_000,
  })
  const laneStates: Lane[] = topics.map((topic) => ({ topic, pendingBatches: 0, lagSeenAt: 0, paused: false }))
  const offsets = createPartitionOffsets()
  /**
   * Records handed to a slot and not yet finished (`taskId:dispatchVersion`), each task's latest run,
   * and the records whose run already ended in this process (the latest 10,000).
   */
  const runs = { records: new Set<string>(), lastOfTask: new Map<string, Promise<void>>(), ended: new Set<string>() }
  const remember = (recordKey: string) => {
    runs.ended.add(recordKey)
    if (runs.ended.size > 10_000) runs.ended.delete(runs.ended.values().next().value!)
  }
  /** `abandonQueued`: the drain deadline passed, so records still waiting for a slot are left to the next owner. */
  const shutdown = { draining: false, abandonQueued: false }

  const laneState = (): LaneState => ({
    lanes: laneStates.map((lane, i) => ({
      pendingBatches: lane.pendingBatches,
      waitingForSlot: slots.waitingIn(i),
      lagSeenAt: lane.lagSeenAt,
      paused: lane.paused,
    })),
    inFlight: slots.running + slots.queued,
    capacity,
    draining: shutdown.draining,
    now: Date.now(),
    lagMemoryMs,
  })
  const updatePauses = () => {
    const { pause, resume } = decideLanePauses(laneState())
    for (const i of pause) {
      consumer.pause([{ topic: laneStates[i]!.topic }])
      laneStates[i]!.paused = true
    }
    for (const i of resume) {
      consumer.resume([{ topic: laneStates[i]!.topic }])
      laneStates[i]!.paused = false
    }
  }
  const slots = createSlotPool(deps.maxAgents, lanes.length, () => updatePauses())
  const startOrder = createStartOrder()

  /**
   * Runs `record` until it is done, in this process: a failure here is infrastructure (Kafka, Redis
   * busy or away), retried with backoff rather than left behind the committed offset until a restart.
   * False when shutdown leaves the record uncommitted for the next owner.
   */
  const runToEnd = async (record: DispatchRecord, issued: () => void): Promise<boolean> => {
    // A record still waiting for a slot at the drain deadline stays uncommitted: the next owner runs it.
    if (shutdown.draining && shutdown.abandonQueued) return false
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.run(record, issued)
        return true
      } catch (error) {
        if (shutdown.draining) return false
        const pause = Math.min(10_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2)
        log[attempt < 5 ? 'warn' : 'error'](
          { err: error, taskId: record.taskId, attempt, retryInMs: Math.round(pause) },
          'task run failed; retrying',
        )
        await yieldFor(pause)
      }
    }
  }

  /** Hands `record` to a slot of `lane`; `done` marks its offset finished unless shutdown left it to the next owner. */
  const handOver = (record: DispatchRecord, lane: number, partition: string, done: () => void) => {
    const recordKey = `${record.taskId}:${record.dispatchVersion}`
    // The same record twice (a redelivered dispatch): the running copy covers it. One whose run
    // already ended here is not run again, even when its outcome could not be recorded (the broker
    // was away): its StartTask would look like a replay of this process' own start, and the
    // handler would run twice; the lease reaper retries such a task instead.
    if (runs.records.has(recordKey) || runs.ended.has(recordKey)) {
      done()
      return
    }
    runs.records.add(recordKey)
    // A newer record of a task whose older one still runs waits for it (the older one is then
    // refused as stale or finishes first); runs of one task never overlap here.
    const older = runs.lastOfTask.get(record.taskId)
    const turn = startOrder.take(partition)
    // Held back behind its task's older run, it keeps no one else waiting for its start.
    if (older) turn.settled()
    let handled = true
    const chained: Promise<void> = (older ?? Promise.resolve())
      .then(() =>
        slots.run(lane, async () => {
          await turn.ready
          handled = await runToEnd(record, turn.settled)
        }),
      )
      .finally(() => {
        turn.settled()
        if (handled) remember(recordKey)
        runs.records.delete(recordKey)
        if (runs.lastOfTask.get(record.taskId) === chained) runs.lastOfTask.delete(record.taskId)
        if (handled) done()
      })
    runs.lastOfTask.set(record.taskId, chained)
  }

  const commit = async () => {
    const due = offsets.due()
    if (due.length === 0) return
    try {
      await consumer.commitOffsets(due)
      offsets.committed(due)
    } catch (error) {
      log.debug({ err: error }, 'offset commit deferred (rebalance)')
    }
  }
  let committer: NodeJS.Timeout | undefined

  return {
    /** resolves when the first record has been handed to a slot (for scale-up measurements) */
    get inFlight(): number {
      return slots.running + slots.queued
    },
    async start(): Promise<void> {
      await consumer.connect()
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => offsets.keepOnly(payload.memberAssignment))
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart && !shutdown.draining) deps.onGaveUp?.(payload.error)
      })
      await consumer.subscribe({ topics, fromBeginning: true })
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: topics.length * 16,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          const lane = laneOf(batch.topic)
          if (lane === undefined) return
          const li = lanes.indexOf(lane)
          log.debug(
            { topic: batch.topic, partition: batch.partition, messages: batch.messages.length, first: batch.firstOffset() },
            'batch',
          )
          laneStates[li]!.pendingBatches++
          let accepted = 0
          try {
            // Let every batch of this fetch announce its lane before any takes a slot.
            await yieldToBatches()
            const tracker = offsets.trackerOf(batch.topic, batch.partition)
            for (const message of batch.messages) {
              if (!isRunning() || isStale() || !laneTakesRecord(laneState(), li)) break
              const offset = BigInt(message.offset)
              accepted++
              resolveOffset(message.offset)
              if (!tracker.track(offset)) continue
              handOver(await deps.codec.decode(message.value), li, `${batch.topic}:${batch.partition}`, () => tracker.done(offset))
            }
            const leftBehind = accepted < batch.messages.length || batch.offsetLag() !== '0'
            laneStates[li]!.lagSeenAt = leftBehind ? Date.now() : 0
            await heartbeat()
          } finally {
            laneStates[li]!.pendingBatches--
            updatePauses()
          }
        },
      })
      committer = setInterval(() => {
        void commit()
        updatePauses()
      }, 200)
    },
    /** Stops fetching, lets in-flight tasks finish (abort them after `deadlineMs` via `onDeadline`), commits, leaves the group. */
    async drain(deadlineMs: number, onDeadline: () => void): Promise<void> {
      shutdown.draining = true
      updatePauses()
      const timer = setTimeout(() => {
        shutdown.abandonQueued = true
        onDeadline()
      }, deadlineMs)
      await slots.idle()
      // A run marks its offset done a few ticks after its slot frees: the last ones must count in the final commit.
      await Promise.allSettled(runs.lastOfTask.values())
      clearTimeout(timer)
      clearInterval(committer)
      await commit()
      await consumer.disconnect()
    },
  }
}

export type DispatchConsumer = ReturnType<typeof createDispatchConsumer>
