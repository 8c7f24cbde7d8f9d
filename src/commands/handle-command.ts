import { setTimeout as sleep } from 'node:timers/promises'
import { ConcurrencyError, UnknownOutcomeError } from '../errors.ts'
import type { EventCodec } from '../events/avro-codec.ts'
import type { AggregateType, DomainEvent, EventMeta, EventsByAggregate } from '../events/envelope.ts'
import { eventTopic } from '../events/topics.ts'
import type { AggregateLeases, Snapshot } from '../eventstore/aggregate-lease.ts'
import type { Delivered, ProduceBatcher } from '../eventstore/produce-batcher.ts'
import type { Logger } from '../infra/logger.ts'
import type { Decider } from './decider.ts'
import { createKeyedMutex } from './keyed-mutex.ts'

export type CommandContext = Readonly<{ commandId: string; correlationId: string; causationId: string | null; actor: string }>

export type CommandResult<S = unknown> = Readonly<{
  aggregateId: string
  /** the aggregate's state after the command: a worker reads what it runs from here, not from a lagging read model */
  state: S
  /** the aggregate's version after the command (unchanged for a no-op) */
  version: number
  events: readonly Readonly<{ type: string; version: number; eventId: string }>[]
  positions: readonly Delivered[]
}>

/** Loads an aggregate's state from the log when the Redis snapshot is missing. */
export type LoadFromLog = (aggregate: AggregateType, id: string) => Promise<Snapshot<unknown> | undefined>

export type CommandHandlerDeps = Readonly<{
  leases: AggregateLeases
  batcher: ProduceBatcher
  codec: EventCodec
  partitionOf: (topic: string, key: string) => number
  loadFromLog: LoadFromLog
  topicPrefix: string
  produceTimeoutMs: number
  leaseTtlMs: number
  clock: () => number
  newId: () => string
  logger: Logger
  /** test hook: runs after the final lease check, just before the send */
  beforeSend?: (stream: string) => Promise<void>
}>

/**
 * The append path: lease → snapshot → decide → lease check → produce (acks=all, idempotent)
 * → snapshot commit if the fencing token still matches → release.
 */
export function createCommandHandler(deps: CommandHandlerDeps) {
  const withLock = createKeyedMutex()

  const acquire = async <S>(stream: string) => {
    const deadline = deps.clock() + deps.leaseTtlMs
    for (let attempt = 0; ; attempt++) {
      const got = await deps.leases.tryAcquire<S>(stream)
      if (got) return got
      if (deps.clock() > deadline) throw new ConcurrencyError('aggregate.busy', `${stream} is being written by another process; retry`)
      await sleep(Math.min(50, 2 ** attempt) * (0.5 + Math.random()))
    }
  }

  /** Races the send against the append deadline; `afterFailure` runs once the send has settled. */
  const withDeadline = async <T>(stream: string, sending: Promise<T>, afterFailure: () => Promise<void>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UnknownOutcomeError(`append to ${stream} did not complete within ${deps.produceTimeoutMs} ms; retry with the same Idempotency-Key`)), deps.produceTimeoutMs)
    })
    try {
      return await Promise.race([sending, timeout])
    } catch (error) {
      void sending.catch(() => undefined).finally(() => afterFailure().catch(() => undefined))
      if (error instanceof UnknownOutcomeError) throw error
      throw new UnknownOutcomeError(`append to ${stream} failed: ${(error as Error).message}`, error)
    } finally {
      clearTimeout(timer)
    }
  }

  return async function execute<A extends AggregateType, S, C>(
    aggregate: A,
    aggregateId: string,
    decider: Decider<S, C, EventsByAggregate[A]>,
    command: C,
    ctx: CommandContext,
    options: { expectNew?: boolean } = {},
  ): Promise<CommandResult<S>> {
    const stream = `${aggregate}:${aggregateId}`
    const topic = eventTopic(deps.topicPrefix, aggregate)
    const prepare = (version: number, state: S) => {
      const events = decider.decide(command, state)
      const occurredAt = deps.clock()
      const metas: EventMeta[] = events.map((_, i) => ({
        eventId: deps.newId(), aggregateId, version: version + i + 1, occurredAt,
        commandId: ctx.commandId, correlationId: ctx.correlationId, causationId: ctx.causationId, actor: ctx.actor,
      }))
      const partition = deps.partitionOf(topic, aggregateId)
      const records = events.map((e, i) => {
        const { value, headers } = deps.codec.encode(aggregate, e as DomainEvent, metas[i]!)
        return { topic, message: { key: aggregateId, value, headers, partition, timestamp: String(occurredAt) } }
      })
      const next = events.reduce((s, e, i) => decider.evolve(s, e, metas[i]!), state)
      const result = (positions: readonly Delivered[]): CommandResult<S> => ({
        aggregateId,
        state: next,
        version: version + events.length,
        events: events.map((e, i) => ({ type: e.type, version: metas[i]!.version, eventId: metas[i]!.eventId })),
        positions,
      })
      return { events, records, next, result }
    }

    if (options.expectNew) {
      // An id generated for this very command has no history and no other writer can know it
      // yet: no lease is needed. The snapshot is only seeded (never overwrites).
      const { events, records, next, result } = prepare(0, decider.initialState())
      if (events.length === 0) return result([])
      const positions = await withDeadline(stream, deps.batcher.send(records), () => deps.leases.invalidate(stream))
      await deps.leases.seed(stream, { version: events.length, state: next })
      return result(positions)
    }

    return withLock(stream, async () => {
      const { lease, snapshot: cached } = await acquire<S>(stream)
      let sent = false
      try {
        // Without a cached snapshot the state comes from the log-built snapshot projection.
        const snapshot = (cached ?? (await deps.loadFromLog(aggregate, aggregateId))) as Snapshot<S> | undefined
        const version = snapshot?.version ?? 0
        const { events, records, next, result } = prepare(version, snapshot?.state ?? decider.initialState())
        if (events.length === 0) return result([])

        if (!(await deps.leases.isHeld(lease))) throw new ConcurrencyError('aggregate.lease-lost', `lost the write lease of ${stream} before appending; retry`)
        await deps.beforeSend?.(stream)
        sent = true
        // Whatever goes wrong in the send, the lease is kept until it settles, so no other writer
        // appends before the outcome is known; the snapshot may be behind the log and is dropped.
        const positions = await withDeadline(stream, deps.batcher.send(records), async () => {
          await deps.leases.invalidate(stream)
          await deps.leases.release(lease)
        })
        const newVersion = version + events.length
        if (!(await deps.leases.commit(lease, { version: newVersion, state: next }))) {
          deps.logger.error({ stream, version: newVersion }, 'fencing token changed during append: another writer may have appended the same version')
          await deps.leases.invalidate(stream)
          throw new UnknownOutcomeError(`lost the write lease of ${stream} while appending; the outcome is being reconciled, retry with the same Idempotency-Key`)
        }
        return result(positions)
      } finally {
        if (!sent) await deps.leases.release(lease).catch(() => undefined)
      }
    })
  }
}

export type CommandHandler = ReturnType<typeof createCommandHandler>
