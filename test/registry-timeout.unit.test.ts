import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRegistry } from '../src/infra/registry.ts'

describe('a schema registry that accepts a request and never answers', () => {
  let server: Server
  let url: string
  let requests = 0
  beforeAll(async () => {
    server = createServer(() => {
      requests++
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  it('fails the call after the timeout instead of waiting forever', async () => {
    const registry = createRegistry({ registryUrl: url }, 150)
    const started = performance.now()
    await expect(registry.getLatestSchemaId('any-subject')).rejects.toThrow()
    expect(performance.now() - started).toBeLessThan(8_000)
    expect(requests).toBeGreaterThan(0)
  })
})
