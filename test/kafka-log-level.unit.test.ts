import { logLevel } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { kafkaLogLevel } from '../src/infra/kafka-log-level.ts'

describe('kafkajs log levels', () => {
  it('reports group membership and leadership changes at info, not error', () => {
    expect(kafkaLogLevel(logLevel.ERROR, 'The coordinator is not aware of this member, re-joining the group', {})).toBe('info')
    expect(kafkaLogLevel(logLevel.WARN, 'The group is rebalancing, re-joining', {})).toBe('info')
    expect(kafkaLogLevel(logLevel.WARN, 'Specified group generation id is not valid, resync group', {})).toBe('info')
    expect(kafkaLogLevel(logLevel.ERROR, 'Response Metadata', { error: 'This server is not the leader for that topic-partition' })).toBe(
      'info',
    )
    expect(
      kafkaLogLevel(logLevel.ERROR, 'Response GroupCoordinator', { error: "The coordinator is loading and hence can't process requests" }),
    ).toBe('info')
  })

  it('warns of a consumer restarting after a retriable crash', () => {
    expect(kafkaLogLevel(logLevel.ERROR, 'Restarting the consumer in 300ms', { groupId: 'g' })).toBe('warn')
    expect(
      kafkaLogLevel(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded: The group is rebalancing, so a rejoin is needed', {}),
    ).toBe('warn')
  })

  it('keeps other errors and warnings at their level', () => {
    expect(kafkaLogLevel(logLevel.ERROR, 'Crash: KafkaJSNonRetriableError: Topic authorization failed', {})).toBe('error')
    expect(kafkaLogLevel(logLevel.ERROR, 'Error when calling eachBatch', { error: 'relation "tasks" does not exist' })).toBe('error')
    expect(kafkaLogLevel(logLevel.WARN, 'Consumer group received unsubscribed topics', {})).toBe('warn')
  })

  it('turns chatty info lines and bounded producer retries into debug', () => {
    expect(kafkaLogLevel(logLevel.INFO, 'Consumer has joined the group', {})).toBe('debug')
    expect(kafkaLogLevel(logLevel.WARN, 'Limiting retries for the idempotent producer to 1', {})).toBe('debug')
  })
})
