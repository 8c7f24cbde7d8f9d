import { Agent, request } from 'node:http'

/**
 * A lean keep-alive HTTP client for benchmarks: `fetch` costs the bench process more CPU per
 * request than the server under test spends, which then measures the client.
 */
export function createHttpClient(base: string, maxSockets = 128) {
  const url = new URL(base)
  const agent = new Agent({ keepAlive: true, maxSockets })
  return {
    send(method: 'GET' | 'POST', path: string, body?: string): Promise<{ status: number; body: string }> {
      return new Promise((resolve, reject) => {
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            method,
            path,
            headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
          },
          (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c: Buffer) => chunks.push(c))
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
            res.on('error', reject)
          },
        )
        req.on('error', reject)
        req.end(body)
      })
    },
    close: () => agent.destroy(),
  }
}
