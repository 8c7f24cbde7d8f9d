import { setImmediate as yieldToBatches, setTimeout as yieldFor } from 'node:timers/promises'
import type { Consumer, Kafka } from 'kafkajs'
import type { DispatchRecord } from '../events/generated/event-types.ts'
import type { Logger } from '../infra/logger.ts'
import type { RecordCodec } from '../dispatch/record-codec.ts'
import { laneOf, lanes, laneTopics, workerGroup } from '../dispatch/dispatch-topics.ts'
import { createOffsetTracker, type OffsetTracker } from './offset-tracker.ts'
import { createSlotPool } from './slot-pool.ts'

export type DispatchConsumerDeps = Readonly<{
  kafka: Kafka
  prefix: string
  pool: string
  maxAgents: number
  codec: RecordCodec<DispatchRecord>
  run: (record: DispatchRecord) => Promise<unknown>
  logger: Logger
  /** how long a lane's observed backlog keeps the lanes below it paused without new evidence */
  lagMemoryMs?: number
}>

/**
 * One worker process' consumer of a pool's four lanes. Records are handed to `maxAgents` slots
 * (also several from one partition) and the fetch position moves on at once, while the committed
 * offset of each partition is only the lowest one still running: a crash redelivers, never skips.
 * Lanes below one with backlog are paused; everything pauses while the slots are saturated.
 */
export function createDispatchConsumer(deps: DispatchConsumerDeps) {
  const log = deps.logger.child({ part: 'dispatch-consumer', pool: deps.pool })
  const topics = laneTopics(deps.prefix, deps.pool)
  const lagMemoryMs = deps.lagMemoryMs ?? 1_000
  const capacity = deps.maxAgents * 2
  const consumer: Consumer = deps.kafka.consumer({
    groupId: workerGroup(deps.prefix, deps.pool), // eachBatch returns at once (records run in slots), so a short rebalance timeout is safe and a
    // crashed member holds its partitions only for the session timeout.
    maxWaitTimeInMs: 100,
    sessionTimeout: 6_000,
    heartbeatInterval: 1_000,
    rebalanceTimeout: 5_000,
  })
  const trackers = new Map<string, OffsetTracker>()
  const committed = new Map<string, bigint>()
  const inFlight = new Set<string>()
  const chains = new Map<string, Promise<void>>()
  const pendingBatches = lanes.map(() => 0)
  const laneLagAt = lanes.map(() => 0)
  const paused = new Set<string>()
  let draining = false
  let abandonQueued = false
  let consumedFirst: (() => void) | undefined
  const firstConsumed = new Promise<void>((resolve) => {
    consumedFirst = resolve
  })

  const updatePauses = () => {
    const now = Date.now()
    const full = draining || slots.running + slots.queued >= capacity
    const top = lanes.findIndex((_, i) => pendingBatches[i]! > 0 || slots.waitingIn(i) > 0 || now - laneLagAt[i]! < lagMemoryMs)
    topics.forEach((topic, i) => {
      const pause = full || (top >= 0 && i > top)
      if (pause && !paused.has(topic)) {
        consumer.pause([{ topic }])
        paused.add(topic)
      }
      if (!pause && paused.has(topic)) {
        consumer.resume([{ topic }])
        paused.delete(topic)
      }
    })
  }
  const slots = createSlotPool(deps.maxAgents, lanes.length, () => updatePauses())

  const commit = async () => {
    const offsets: { topic: string; partition: number; offset: string }[] = []
    for (const [key, tracker] of trackers) {
      const next = tracker.committable()
      if (next === undefined || committed.get(key) === next) continue
      const [topic, partition] = [key.slice(0, key.lastIndexOf(':')), Number(key.slice(key.lastIndexOf(':') + 1))]
      offsets.push({ topic, partition, offset: next.toString() })
    }
    if (offsets.length === 0) return
    try {
      await consumer.commitOffsets(offsets)
      for (const o of offsets) committed.set(`${o.topic}:${o.partition}`, BigInt(o.offset))
    } catch (error) {
      log.debug({ err: error }, 'offset commit deferred (rebalance)')
    }
  }
  let committer: NodeJS.Timeout | undefined

  return {
    /** resolves when the first record has been handed to a slot (for scale-up measurements) */
    firstConsumed,
    get inFlight(): number {
      return slots.running + slots.queued
    },
    async start(): Promise<void> {
      await consumer.connect()
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        const assigned = new Set(Object.entries(payload.memberAssignment).flatMap(([t, ps]) => ps.map((p) => `${t}:${p}`)))
        for (const key of trackers.keys())
          if (!assigned.has(key)) {
            trackers.delete(key)
            committed.delete(key)
          }
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
          pendingBatches[li]!++
          let accepted = 0
          try {
            // Let every batch of this fetch announce its lane before any takes a slot.
            await yieldToBatches()
            const key = `${batch.topic}:${batch.partition}`
            const tracker = trackers.get(key) ?? trackers.set(key, createOffsetTracker()).get(key)!
            for (const message of batch.messages) {
              const higherBusy = lanes.some((_, i) => i < li && (pendingBatches[i]! > 0 || slots.waitingIn(i) > 0))
              if (!isRunning() || isStale() || draining || higherBusy || slots.running + slots.queued >= capacity) break
              const offset = BigInt(message.offset)
              accepted++
              resolveOffset(message.offset)
              if (!tracker.track(offset)) continue
              const record = await deps.codec.decode(message.value)
              const recordKey = `${record.taskId}:${record.dispatchVersion}`
              // The same record twice (a redelivered dispatch): the running copy covers it.
              if (inFlight.has(recordKey)) {
                tracker.done(offset)
                continue
              }
              inFlight.add(recordKey)
              consumedFirst?.()
              // A newer record of a task whose older one still runs waits for it (the older one
              // is then refused as stale or finishes first); runs of one task never overlap here.
              const before = chains.get(record.taskId) ?? Promise.resolve()
              let handled = true
              const chained: Promise<void> = before
                .then(() =>
                  slots.run(li, async () => {
                    // A record not started before shutdown stays uncommitted: the next owner runs it.
                    if (draining && abandonQueued) {
                      handled = false
                      return
                    }
                    // A failure here is infrastructure (Kafka, Redis busy or away): the run is retried in
                    // this process with backoff, never left behind the committed offset until a restart.
                    for (let attempt = 1; ; attempt++) {
                      try {
                        await deps.run(record)
                        break
                      } catch (error) {
                        if (draining) {
                          handled = false
                          break
                        }
                        const pause = Math.min(10_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2)
                        log[attempt < 5 ? 'warn' : 'error'](
                          { err: error, taskId: record.taskId, attempt, retryInMs: Math.round(pause) },
                          'task run failed; retrying',
                        )
                        await yieldFor(pause)
                      }
                    }
                  }),
                )
                .finally(() => {
                  inFlight.delete(recordKey)
                  if (chains.get(record.taskId) === chained) chains.delete(record.taskId)
                  if (handled) tracker.done(offset)
                })
              chains.set(record.taskId, chained)
            }
            if (accepted < batch.messages.length || batch.offsetLag() !== '0') laneLagAt[li] = Date.now()
            else laneLagAt[li] = 0
            await heartbeat()
          } finally {
            pendingBatches[li]!--
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
      draining = true
      updatePauses()
      const timer = setTimeout(() => {
        abandonQueued = true
        onDeadline()
      }, deadlineMs)
      await slots.idle()
      clearTimeout(timer)
      clearInterval(committer)
      await commit()
      await consumer.disconnect()
    },
  }
}

export type DispatchConsumer = ReturnType<typeof createDispatchConsumer>
