import type { StoredEvent } from '../../src/events/envelope.ts'
import { meta } from './decider-spec.ts'

/** A task event as read back from the log, for projection tests. */
export const storedTaskEvent = (version: number, type: string, data: Record<string, unknown>, aggregateId = 't1'): StoredEvent =>
  ({
    type,
    data,
    aggregateType: 'task',
    meta: meta(version, { aggregateId }),
    position: { topic: 'x', partition: 0, offset: String(version) },
  }) as StoredEvent

/** Folds a stream of events through a row projection's `project`. */
export const foldRows = <R>(
  project: (row: R | undefined, e: StoredEvent) => R | undefined,
  events: readonly StoredEvent[],
): R | undefined => events.reduce<R | undefined>((row, e) => project(row, e), undefined)
