import { logLevel } from 'kafkajs'

export type PinoLevel = 'error' | 'warn' | 'info' | 'debug'

const levels: Record<number, PinoLevel> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
}

/** Group membership at work: members join, leave and rejoin; kafkajs rejoins by itself. */
const membership =
  /rebalanc|generation id is not valid|not aware of this member|unknown member|not the correct coordinator|coordinator is (loading|not available)|resync group|not aware of all assigned partitions/i

/** Leadership moving or a topic being created: kafkajs refreshes metadata and retries. */
const leadership =
  /not (the )?leader|leader not available|leadership election|does not host this topic-partition|unknown topic or partition/i

/**
 * The pino level of a kafkajs log line. Error means an operator should act: what kafkajs reports
 * while a group rebalances or leadership moves is expected and retried, so it is info (or debug);
 * a consumer restarting after a retriable crash is a warning.
 */
export function kafkaLogLevel(level: number, message: string, extra: Readonly<Record<string, unknown>>): PinoLevel {
  if (level === logLevel.INFO || level === logLevel.DEBUG) return 'debug'
  const text = `${message} ${typeof extra.error === 'string' ? extra.error : ''}`
  // Append retries are bounded on purpose (the append deadline) and an unknown outcome is handled by the append path.
  if (message.startsWith('Limiting retries for the idempotent producer')) return 'debug'
  const expected = membership.test(text) || leadership.test(text)
  // A consumer that crashed on a retriable error restarts by itself: worth a warning, not an alarm.
  if (message.startsWith('Restarting the consumer in') || (expected && message.startsWith('Crash:'))) return 'warn'
  if (expected) return 'info'
  return levels[level] ?? 'info'
}
