import { Admin, Consumer, Producer, ProduceAcks, type BaseOptions } from '@platformatic/kafka'
import type { Config } from '../config.ts'

/**
 * Options every @platformatic/kafka client of a process shares. `timeout` (the broker's wait) and
 * `requestTimeout` (the client's) bound each request and `retries` × `retryDelay` how long a call
 * keeps trying: together well inside the append budget, so a send has settled (landed or failed)
 * before its write slot's deadline.
 */
export function kafkaClientOptions(config: Pick<Config, 'kafka' | 'append'>, clientId: string): BaseOptions {
  const budget = config.append.produceTimeoutMs
  return {
    clientId,
    bootstrapBrokers: [...config.kafka.brokers],
    timeout: Math.max(200, Math.floor(budget / 6)),
    requestTimeout: Math.max(200, Math.floor(budget / 6)),
    retries: 2,
    retryDelay: Math.max(20, Math.floor(budget / 60)),
    connectTimeout: 3_000,
  } as BaseOptions
}

/** The idempotent producer (acks=all) of the event store and the dispatcher. */
export const createProducer = (config: Pick<Config, 'kafka' | 'append'>, clientId: string): Producer =>
  new Producer({ ...kafkaClientOptions(config, clientId), idempotent: true, acks: ProduceAcks.ALL })

/**
 * A consumer client. Fetches stay modest (1 MiB per request): a big fetch buffer is memory for
 * nothing when units of work are applied in milliseconds.
 */
export const createConsumer = (config: Pick<Config, 'kafka' | 'append'>, clientId: string, groupId: string): Consumer =>
  new Consumer({ ...kafkaClientOptions(config, clientId), groupId, maxBytes: 1_048_576, maxWaitTime: 50 })

export const createAdmin = (config: Pick<Config, 'kafka' | 'append'>, clientId: string): Admin =>
  new Admin(kafkaClientOptions(config, clientId))

export { Admin, Consumer, Producer }
