import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type { Config } from '../config.ts'

type Request = { timeout(): number | undefined; enhance(changes: { timeout: number }): Request }

/**
 * The client sets no timeout of its own: a request the registry accepted and never answered (seen
 * once while the host was saturated) held a starting process in `connectServices` for good, alive
 * and silent. Each request now gets a deadline.
 */
const requestTimeout = (timeoutMs: number) => () => ({
  async prepareRequest(next: () => Promise<Request>): Promise<Request> {
    const request = await next()
    return request.timeout() ? request : request.enhance({ timeout: timeoutMs })
  },
})

/** `timeoutMs`: a request that has not answered in this long fails (and is retried) instead of waiting forever. */
export function createRegistry(config: Pick<Config, 'registryUrl'>, timeoutMs = 10_000): SchemaRegistry {
  return new SchemaRegistry({
    host: config.registryUrl,
    clientId: 'agentfleet',
    retry: { retries: 3 },
    middlewares: [requestTimeout(timeoutMs) as never],
  })
}
