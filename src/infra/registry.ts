import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type { Config } from '../config.ts'

export function createRegistry(config: Pick<Config, 'registryUrl'>): SchemaRegistry {
  return new SchemaRegistry({ host: config.registryUrl, clientId: 'agentfleet', retry: { retries: 3 } })
}
