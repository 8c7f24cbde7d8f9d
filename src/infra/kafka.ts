import { Kafka, logLevel as kafkaLogLevel, type logCreator } from 'kafkajs'
import type { Config } from '../config.ts'
import type { Logger } from './logger.ts'

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [kafkaLogLevel.ERROR]: 'error',
  [kafkaLogLevel.WARN]: 'warn',
  [kafkaLogLevel.INFO]: 'info',
  [kafkaLogLevel.DEBUG]: 'debug',
}

/** kafkajs logs routed to pino; its chatty INFO lines (joins, rebalances) become debug. */
const pinoLogCreator =
  (logger: Logger): logCreator =>
  () =>
  ({ level, log }) => {
    const { message, ...extra } = log
    // Append retries are bounded on purpose (the append deadline); an unknown outcome is handled
    // by the append path, so kafkajs' warning about limited idempotent retries is only debug.
    // Coordinator-loading responses right after a broker start are retried by kafkajs itself.
    const retried = typeof extra.error === 'string' && /coordinator is (loading|not available)/i.test(extra.error)
    const expected = level === kafkaLogLevel.INFO || retried || message.startsWith('Limiting retries for the idempotent producer')
    const pinoLevel = expected ? 'debug' : (levels[level] ?? 'info')
    logger[pinoLevel]({ kafka: extra }, message)
  }

export function createKafka(config: Pick<Config, 'kafka'>, logger: Logger, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [...config.kafka.brokers],
    logLevel: kafkaLogLevel.WARN,
    logCreator: pinoLogCreator(logger.child({ lib: 'kafkajs' })),
    connectionTimeout: 3_000,
    retry: { initialRetryTime: 100, retries: 8 },
  })
}
