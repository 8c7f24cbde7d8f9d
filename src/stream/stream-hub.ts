import type { Admin, Kafka } from 'kafkajs'
import type { Config } from '../config.ts'
import { AppError, ValidationError } from '../errors.ts'
import type { EventCodec } from '../events/avro-codec.ts'
import { eventTypesByAggregate } from '../events/generated/event-types.ts'
import type { Db } from '../infra/postgres.ts'
import type { Logger } from '../infra/logger.ts'
import { attributeKey, type AttributeLookup, type Attributes } from './aggregate-attributes.ts'
import { startCatchUpReader } from './catch-up-reader.ts'
import { logEnds, startEventTail, streamGroupPrefix, type EventTail } from './event-tail.ts'
import { parseFilter, type FilterQuery } from './stream-filter.ts'
import { decodePosition, reaches, slotsOf } from './stream-position.ts'
import { runStreamSession, type SessionEnd, type StreamTransport } from './stream-session.ts'

export type StreamHubDeps = Readonly<{
  kafka: Kafka
  admin: Admin
  codec: EventCodec
  db: Db
  config: Config
  logger: Logger
  onOverflow?: () => void /** how long the tail outlives its last client (default 30 s) */
  idleMs?: number
}>

/** Pool and project of tasks this process has not seen created: one query per batch of misses. */
const taskAttributes =
  (db: Db): AttributeLookup =>
  async (keys) => {
    const ids = keys.filter((k) => k.aggregateType === 'task').map((k) => k.aggregateId)
    if (ids.length === 0) return new Map()
    const rows = await db.selectFrom('tasks').select(['id', 'pool', 'project_id']).where('id', 'in', ids).execute()
    return new Map<string, Attributes>(rows.map((r) => [attributeKey('task', r.id), { pool: r.pool, projectId: r.project_id }]))
  }

/**
 * The live stream of one API process. Fan-out: one tail consumer per process, started by its first
 * client (its own group,
 * no commits) feeding every local client, rather than a relay through Redis pub/sub: Kafka
 * already is the ordered, replayable bus, so positions stay exact Kafka offsets end to end
 * (pub/sub is at-most-once and would need its own sequence and gap repair), and a handful of
 * tail consumers per host is negligible load for the broker.
 */
export async function startStreamHub(deps: StreamHubDeps) {
  const lookup = taskAttributes(deps.db)
  const logger = deps.logger.child({ part: 'stream' })
  const idleMs = deps.idleMs ?? deps.config.stream.idleMs
  const { heartbeatMs, bufferEvents, maxCatchUps } = deps.config.stream
  let catchUps = 0
  let overflows = 0
  let sessions = 0
  // The tail consumer runs only while this process serves stream clients (and a little after the
  // last one leaves): without clients, reading every event would be work for nobody.
  let tail: Promise<EventTail> | undefined
  let running: EventTail | undefined
  let idle: NodeJS.Timeout | undefined
  const acquire = (): Promise<EventTail> => {
    clearTimeout(idle)
    if (!tail) {
      tail = startEventTail({
        kafka: deps.kafka,
        admin: deps.admin,
        codec: deps.codec,
        topicPrefix: deps.config.kafka.topicPrefix,
        aggregates: Object.keys(eventTypesByAggregate),
        logger,
        lookup,
      })
      tail.then(
        (t) => {
          running = t
        },
        () => {
          tail = undefined
        },
      )
    }
    return tail
  }
  const release = () => {
    if (--sessions > 0) return
    clearTimeout(idle)
    idle = setTimeout(() => {
      const stopping = tail
      tail = undefined
      running = undefined
      void stopping?.then((t) => t.stop()).catch((error: unknown) => logger.warn({ err: error }, 'stream tail did not stop cleanly'))
    }, idleMs)
    idle.unref()
  }

  return {
    clients: () => running?.clients() ?? 0,
    catchUps: () => catchUps,
    overflows: () => overflows,
    /**
     * Validates a stream request before anything is sent (so bad input is a 4xx) and returns
     * the session to run on a transport.
     */
    async open(query: FilterQuery, lastEventId: string | undefined) {
      const filter = parseFilter(query, eventTypesByAggregate)
      const current = await acquire()
      sessions++
      try {
        const from = lastEventId === undefined || lastEventId === '' ? undefined : decodePosition(current.layout, lastEventId)
        if (from) {
          const ends = await logEnds(deps.admin, current.layout)
          if (from.some((offset, slot) => offset > (ends[slot] ?? 0)))
            throw new ValidationError('Last-Event-ID points past the end of the log; it was not issued by this deployment')
          if (!reaches(from, current.position(), slotsOf(current.layout, filter.aggregateTypes)) && catchUps >= maxCatchUps) {
            throw new AppError('stream.busy', `${maxCatchUps} clients are catching up on this process; retry shortly`, { retriable: true })
          }
        }
        return async (transport: StreamTransport, signal: AbortSignal): Promise<SessionEnd> => {
          try {
            return await runStreamSession(
              {
                tail: current,
                filter,
                from,
                bufferEvents,
                heartbeatMs,
                logger,
                onOverflow: () => {
                  overflows++
                  deps.onOverflow?.()
                },
                catchUp: async (start, topics, onBatch) => {
                  catchUps++
                  const reader = await startCatchUpReader({
                    kafka: deps.kafka,
                    codec: deps.codec,
                    layout: current.layout,
                    topics,
                    from: start,
                    groupPrefix: streamGroupPrefix(deps.config.kafka.topicPrefix),
                    attributes: current.attributes,
                    lookup,
                    logger,
                    onBatch,
                  }).catch((error: unknown) => {
                    catchUps--
                    throw error
                  })
                  let released = false
                  return {
                    stop: async () => {
                      await reader.stop()
                      if (!released) {
                        released = true
                        catchUps--
                      }
                    },
                  }
                },
              },
              transport,
              signal,
            )
          } finally {
            release()
          }
        }
      } catch (error) {
        release()
        throw error
      }
    },
    stop: async () => {
      clearTimeout(idle)
      const t = tail
      tail = undefined
      await t?.then((x) => x.stop())
    },
  }
}

export type StreamHub = Awaited<ReturnType<typeof startStreamHub>>
