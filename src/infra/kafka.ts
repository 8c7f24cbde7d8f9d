import { Kafka, logLevel, type logCreator } from 'kafkajs'
import type { Config } from '../config.ts'
import { kafkaLogLevel } from './kafka-log-level.ts'
import type { Logger } from './logger.ts'

/** kafkajs logs routed to pino at the level an operator needs (see kafkaLogLevel). */
const pinoLogCreator =
  (logger: Logger): logCreator =>
  () =>
  ({ level, log }) => {
    const { message, ...extra } = log
    logger[kafkaLogLevel(level, message, extra)]({ kafka: extra }, message)
  }

export function createKafka(config: Pick<Config, 'kafka'>, logger: Logger, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger.child({ lib: 'kafkajs' })),
    connectionTimeout: 3_000,
    retry: { initialRetryTime: 100, retries: 8 },
  })
}
