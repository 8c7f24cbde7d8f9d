import { setTimeout as sleep } from 'node:timers/promises'
import { ConcurrencyError, UnknownOutcomeError } from '../errors.ts'
import type { EventCodec } from '../events/avro-codec.ts'
import type { AggregateType, DomainEvent, EventMeta, EventsByAggregate } from '../events/envelope.ts'
import { eventTopic } from '../events/topics.ts'
import type { AggregateLeases, Lease, Snapshot } from '../eventstore/aggregate-lease.ts'
import type { Delivered, ProduceBatcher } from '../eventstore/produce-batcher.ts'
import type { Logger } from '../infra/logger.ts'
import type { Decider } from './decider.ts'
import { createKeyedMutex } from './keyed-mutex.ts'

export type CommandContext = Readonly<{ commandId: string; correlationId: string; causationId: string | null; actor: string }>

export type CommandResult = Readonly<{
  aggregateId: string
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

  const send = async (lease: Lease, stream: string, records: Parameters<ProduceBatcher['send']>[0]): Promise<Delivered[]> => {
    const sending = deps.batcher.send(records)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UnknownOutcomeError(`append to ${stream} did not complete within ${deps.produceTimeoutMs} ms; retry with the same Idempotency-Key`)), deps.produceTimeoutMs)
    })
    try {
      return await Promise.race([sending, timeout])
    } catch (error) {
      // Whatever happened, the snapshot may now be behind the log: drop it, but keep the lease
      // until the send settles so no other writer appends before the outcome is known.
      void sending.catch(() => undefined).finally(async () => {
        await deps.leases.invalidate(stream).catch(() => undefined)
        await deps.leases.release(lease).catch(() => undefined)
      })
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
  ): Promise<CommandResult> {
    const stream = `${aggregate}:${aggregateId}`
    return withLock(stream, async () => {
      const { lease, snapshot: cached } = await acquire<S>(stream)
      let sent = false
      try {
        // A freshly generated id cannot have history; anything else without a snapshot is loaded from the log.
        const snapshot = (cached ?? (options.expectNew ? undefined : await deps.loadFromLog(aggregate, aggregateId))) as Snapshot<S> | undefined
        const version = snapshot?.version ?? 0
        let state = snapshot?.state ?? decider.initialState()
        const events = decider.decide(command, state)
        if (events.length === 0) return { aggregateId, version, events: [], positions: [] }

        const topic = eventTopic(deps.topicPrefix, aggregate)
        const partition = deps.partitionOf(topic, aggregateId)
        const occurredAt = deps.clock()
        const metas: EventMeta[] = events.map((_, i) => ({
          eventId: deps.newId(), aggregateId, version: version + i + 1, occurredAt,
          commandId: ctx.commandId, correlationId: ctx.correlationId, causationId: ctx.causationId, actor: ctx.actor,
        }))
        const records = events.map((e, i) => {
          const { value, headers } = deps.codec.encode(aggregate, e as DomainEvent, metas[i]!)
          return { topic, message: { key: aggregateId, value, headers, partition, timestamp: String(occurredAt) } }
        })
        events.forEach((e, i) => { state = decider.evolve(state, e, metas[i]!) })

        if (!(await deps.leases.isHeld(lease))) throw new ConcurrencyError('aggregate.lease-lost', `lost the write lease of ${stream} before appending; retry`)
        await deps.beforeSend?.(stream)
        sent = true
        const positions = await send(lease, stream, records)
        const newVersion = version + events.length
        if (!(await deps.leases.commit(lease, { version: newVersion, state }))) {
          deps.logger.error({ stream, version: newVersion }, 'fencing token changed during append: another writer may have appended the same version')
          await deps.leases.invalidate(stream)
          throw new UnknownOutcomeError(`lost the write lease of ${stream} while appending; the outcome is being reconciled, retry with the same Idempotency-Key`)
        }
        return {
          aggregateId,
          version: newVersion,
          events: events.map((e, i) => ({ type: e.type, version: metas[i]!.version, eventId: metas[i]!.eventId })),
          positions,
        }
      } finally {
        if (!sent) await deps.leases.release(lease).catch(() => undefined)
      }
    })
  }
}

export type CommandHandler = ReturnType<typeof createCommandHandler>
