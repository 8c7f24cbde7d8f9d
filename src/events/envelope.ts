import type { AggregateType, DomainEvent, EventMeta, EventsByAggregate } from './generated/event-types.ts'

export type { AggregateType, DomainEvent, EventMeta, EventsByAggregate }

/** Where an event sits in Kafka. */
export type LogPosition = Readonly<{ topic: string; partition: number; offset: string }>

/** An event as read back from the log: the domain event, its envelope and its position. */
export type StoredEvent<E extends DomainEvent = DomainEvent> = E &
  Readonly<{
    aggregateType: AggregateType
    meta: EventMeta
    position: LogPosition
  }>

/** Kafka header names; readers that do not speak Avro can still route by type. */
export const headers = { eventType: 'event-type', aggregateType: 'aggregate-type', correlationId: 'correlation-id' } as const
