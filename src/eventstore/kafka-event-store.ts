import { setTimeout as sleep } from 'node:timers/promises'
import type { AnyDecider, Decider } from '../commands/decider.ts'
import { ConcurrencyError, UnknownOutcomeError } from '../errors.ts'
import type { EventCodec } from '../events/avro-codec.ts'
import type { AggregateType, DomainEvent, EventMeta, StoredEvent } from '../events/envelope.ts'
import { eventTopic } from '../events/topics.ts'
import type { Logger } from '../infra/logger.ts'
import type { AggregateRecord, AggregateRecords } from './aggregate-records.ts'
import type { EventLog, LogRecord } from './event-log.ts'
import type { CommandContext, CommandResult, Delivered, EventStore, HandleOptions } from './event-store.ts'
import { createKeyedMutex } from './keyed-mutex.ts'
import { createStateCache } from './state-cache.ts'
import type { Subscription, SubscriptionOptions } from './subscription.ts'

/** An aggregate's state as the store knows it: version, state and the offset of its last event. */
type Known = Readonly<{ version: number; state: unknown; offset: number | undefined }>

export type KafkaEventStoreDeps = Readonly<{
  records: AggregateRecords
  log: EventLog
  codec: EventCodec
  topicPrefix: string
  /** every aggregate type's decider: folding events read back from the log */
  deciders: Readonly<Record<AggregateType, AnyDecider>>
  /** the last state the read side folded (Postgres snapshots), so a log read starts late in the partition */
  loadSnapshot?: (aggregate: AggregateType, id: string) => Promise<Known | undefined>
  subscribe: (options: SubscriptionOptions) => Promise<Subscription>
  /** how long a writer holds an aggregate's write slot; its send must start in the first third */
  budgetMs: number
  clock: () => number
  newId: () => string
  logger: Logger
  /** test hook: runs just before the send */
  beforeSend?: (stream: string) => Promise<void>
  /** test hook: runs once the append landed, before the commit (a crash here leaves the slot in doubt) */
  afterSend?: (stream: string) => Promise<void>
  close?: () => Promise<void>
}>

/**
 * The event store over Kafka (the log, the source of truth) and Redis (write slots and a cache of
 * each aggregate's state). One append:
 *
 *   begin   one script over all concurrent appends of this process: take each aggregate's write
 *           slot until now + budget (a fencing token; the slot itself is the in-doubt mark) and
 *           return its state when the caller's is not current
 *   decide  pure, in memory
 *   produce one request for all of them (idempotent producer, acks=all), only if it can start
 *           within the first third of the budget
 *   commit  one script: store each new state and free each slot, if the token still matches
 *
 * A writer that dies or stalls between produce and commit leaves its slot behind; once its
 * deadline has passed the next writer reads the aggregate's events from the log past the last
 * committed offset, folds them, and only then decides — so no two events of one aggregate share a
 * version. A record never sent is dropped, and its slot freed at once.
 */
export function createKafkaEventStore(deps: KafkaEventStoreDeps): EventStore {
  const withLock = createKeyedMutex()
  const cache = createStateCache<Known>(20_000)
  const log = deps.logger.child({ part: 'event-store' })
  const sendWindow = deps.budgetMs / 3

  const decode = (json: string | undefined): unknown => (json === undefined ? undefined : JSON.parse(json))

  /** Folds log events onto what is known, applying only each stream's next version (the log's first wins, as every consumer decides). */
  const foldLog = (aggregate: AggregateType, base: Known, events: readonly StoredEvent[]): Known => {
    const decider = deps.deciders[aggregate]
    let { version, state, offset } = base
    for (const e of events) {
      if (e.meta.version !== version + 1) continue
      state = decider.evolve(state ?? decider.initialState(), { type: e.type, data: e.data }, e.meta)
      version = e.meta.version
      offset = Number(e.position.offset)
    }
    return { version, state, offset }
  }

  /** The aggregate as the log has it: the read side's snapshot (if any) plus the rest of its partition. */
  const fromLog = async (aggregate: AggregateType, id: string, after?: Known): Promise<Known> => {
    const base = after ?? (await deps.loadSnapshot?.(aggregate, id)) ?? { version: 0, state: undefined, offset: undefined }
    const events = await deps.log.readAggregate(aggregate, id, base.offset === undefined ? 0 : base.offset + 1)
    return foldLog(aggregate, base, events)
  }

  const known = (r: AggregateRecord): Known => ({ version: r.version, state: decode(r.state), offset: r.offset })

  /** A writer's slot is in doubt: fold the log past its last committed event, store that, free the slot. */
  const reconcile = async (
    aggregate: AggregateType,
    id: string,
    stream: string,
    staleToken: string,
    record: AggregateRecord,
  ): Promise<void> => {
    const base = record.state !== undefined && record.offset !== undefined ? known(record) : undefined
    const folded = await fromLog(aggregate, id, base)
    const done = await deps.records.reconcile(stream, staleToken, {
      version: folded.version,
      state: JSON.stringify(folded.state ?? null),
      offset: folded.offset ?? -1,
    })
    log.warn(
      { stream, version: folded.version, reconciled: done, from: base?.version ?? 0 },
      'write slot in doubt: reconciled from the log',
    )
  }

  /** Takes the write slot (waiting out other writers, reconciling in-doubt ones) and returns the current state. */
  const take = async (
    aggregate: AggregateType,
    id: string,
    stream: string,
  ): Promise<{ token: string; known: Known; startedAt: number }> => {
    const giveUpAt = performance.now() + 2 * deps.budgetMs
    for (let attempt = 0; ; attempt++) {
      const cached = cache.get(stream)
      const startedAt = performance.now()
      const got = await deps.records.begin(stream, cached?.version ?? -1)
      if (got.kind === 'taken') {
        if (!got.record) return { token: got.token, known: cached!, startedAt }
        if (got.record.state !== undefined) return { token: got.token, known: known(got.record), startedAt }
        // No state cached in Redis (expired, lost, or a new aggregate): the log has the truth.
        try {
          return { token: got.token, known: await fromLog(aggregate, id), startedAt }
        } catch (error) {
          await deps.records.abort(stream, got.token).catch(() => undefined)
          throw error
        }
      }
      if (got.kind === 'in-doubt') {
        cache.delete(stream)
        await reconcile(aggregate, id, stream, got.staleToken, got.record)
        continue
      }
      if (performance.now() > giveUpAt) throw new ConcurrencyError('aggregate.busy', `${stream} is being written by another process; retry`)
      await sleep(Math.min(got.waitMs, 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2))
    }
  }

  /** Encodes events with their metadata for the aggregate's partition. */
  const encode = (aggregate: AggregateType, id: string, events: readonly DomainEvent[], fromVersion: number, ctx: CommandContext) => {
    const topic = eventTopic(deps.topicPrefix, aggregate)
    const partition = deps.log.partitionOf(aggregate, id)
    const occurredAt = deps.clock()
    const metas: EventMeta[] = events.map((_, i) => ({
      eventId: deps.newId(),
      aggregateId: id,
      version: fromVersion + i + 1,
      occurredAt,
      commandId: ctx.commandId,
      correlationId: ctx.correlationId,
      causationId: ctx.causationId,
      actor: ctx.actor,
    }))
    const records: LogRecord[] = events.map((e, i) => {
      const { value, headers } = deps.codec.encode(aggregate, e, metas[i]!)
      return { topic, partition, key: id, value, headers: headers as Record<string, string>, timestamp: occurredAt }
    })
    return { metas, records }
  }

  const resultOf = <S>(
    id: string,
    state: S,
    version: number,
    events: readonly DomainEvent[],
    metas: readonly EventMeta[],
    positions: readonly Delivered[],
  ): CommandResult<S> => ({
    aggregateId: id,
    state,
    version,
    events: events.map((e, i) => ({ type: e.type, version: metas[i]!.version, eventId: metas[i]!.eventId })),
    positions,
  })

  /** The append path shared by `handle` and `append`: `decide` sees the current state and version. */
  const write = async <S>(
    aggregate: AggregateType,
    id: string,
    decide: (state: S, version: number) => readonly DomainEvent[],
    ctx: CommandContext,
    options: HandleOptions,
  ): Promise<CommandResult<S>> => {
    const decider = deps.deciders[aggregate] as Decider<S, unknown, DomainEvent>
    const stream = `${aggregate}:${id}`
    const evolve = (state: S, events: readonly DomainEvent[], metas: readonly EventMeta[]) =>
      events.reduce((s, e, i) => decider.evolve(s, e, metas[i]!), state)

    if (options.expectNew) {
      // An id minted for this very command has no history and no other writer can know it yet.
      const initial = decider.initialState()
      const events = decide(initial, 0)
      if (events.length === 0) return resultOf(id, initial, 0, [], [], [])
      const { metas, records } = encode(aggregate, id, events, 0, ctx)
      const next = evolve(initial, events, metas)
      const positions = await deps.log.append(records, performance.now() + sendWindow)
      const offset = Number(positions[positions.length - 1]!.offset)
      cache.set(stream, { version: events.length, state: next, offset })
      await deps.records
        .seed(stream, events.length, JSON.stringify(next), offset)
        .catch((error: unknown) => log.debug({ err: error, stream }, 'snapshot not seeded; the next writer reads the log'))
      return resultOf(id, next, events.length, events, metas, positions)
    }

    return withLock(stream, async () => {
      const { token, known: current, startedAt } = await take(aggregate, id, stream)
      const state = (current.state ?? decider.initialState()) as S
      let events: readonly DomainEvent[]
      try {
        events = decide(state, current.version)
      } catch (error) {
        await deps.records.abort(stream, token)
        throw error
      }
      if (events.length === 0) {
        await deps.records.abort(stream, token)
        cache.set(stream, current)
        return resultOf(id, state, current.version, [], [], [])
      }
      const { metas, records } = encode(aggregate, id, events, current.version, ctx)
      const next = evolve(state, events, metas)
      let positions: Delivered[]
      try {
        await deps.beforeSend?.(stream)
        positions = await deps.log.append(records, startedAt + sendWindow)
      } catch (error) {
        cache.delete(stream)
        // Never sent: nothing to reconcile. Sent with an unknown outcome: the slot stays, in doubt until its deadline.
        if ((error as { code?: string }).code === 'append.not-sent') await deps.records.abort(stream, token).catch(() => undefined)
        throw error
      }
      await deps.afterSend?.(stream)
      const version = current.version + events.length
      const offset = Number(positions[positions.length - 1]!.offset)
      if (!(await deps.records.commit(stream, token, version, JSON.stringify(next), offset))) {
        cache.delete(stream)
        log.error({ stream, version }, 'write slot taken over before the commit: the append landed past its deadline and may conflict')
        throw new UnknownOutcomeError(
          `the write slot of ${stream} was reconciled by another writer while appending; retry with the same Idempotency-Key`,
        )
      }
      cache.set(stream, { version, state: next, offset })
      return resultOf(id, next, version, events, metas, positions)
    })
  }

  return {
    handle: (aggregate, id, decider, command, ctx, options = {}) =>
      write(aggregate, id, (state) => decider.decide(command, state as never) as unknown as readonly DomainEvent[], ctx, options) as never,
    append: (aggregate, id, expectedVersion, events, ctx) =>
      write(
        aggregate,
        id,
        (_state, version) => {
          if (version !== expectedVersion)
            throw new ConcurrencyError('stream.wrong-version', `${aggregate}:${id} is at version ${version}, not ${expectedVersion}`, {
              version,
              expectedVersion,
            })
          return events
        },
        ctx,
        {},
      ),
    readStream: (aggregate, id) => deps.log.readAggregate(aggregate, id, 0),
    subscribe: deps.subscribe,
    close: async () => {
      await deps.close?.()
    },
  }
}
