import net from 'node:net'
import type { Endpoint } from './layout.ts'

/** True when something accepts TCP connections on the port. */
export function tcpOpen({ host, port }: Endpoint, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const finish = (open: boolean): void => {
      socket.destroy()
      resolve(open)
    }
    socket.setTimeout(timeoutMs, () => finish(false))
    socket.once('connect', () => finish(true))
    socket.once('error', () => finish(false))
    socket.once('close', () => finish(false))
  })
}

export async function httpOk(url: string, timeoutMs = 1_500): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    await response.body?.cancel()
    return response.status === 200
  } catch {
    return false
  }
}

export type ProbeResult = { ok: true } | { ok: false; reason: string }

/** Short reason of a network error; pg/net wrap dual-stack failures in AggregateError with an empty message. */
export function describeNetError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeNetError(error.errors[0])
  const e = error as { code?: string; message?: string }
  if (e.code === 'ECONNREFUSED') return 'connection refused'
  if (e.code === 'ETIMEDOUT') return 'timed out'
  return e.message || e.code || String(error)
}

/** PING over a raw socket: any RESP reply (+PONG, or -NOAUTH) proves a Redis is listening. */
export function redisPing(endpoint: Endpoint, timeoutMs = 1_500): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect(endpoint)
    const finish = (result: ProbeResult): void => {
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(timeoutMs, () => finish({ ok: false, reason: 'no answer' }))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => {
      const first = data.toString('utf8', 0, 1)
      finish(first === '+' || first === '-' ? { ok: true } : { ok: false, reason: 'not a Redis server' })
    })
    socket.once('error', (error) => finish({ ok: false, reason: describeNetError(error) }))
    socket.once('close', () => finish({ ok: false, reason: 'connection closed without an answer' }))
  })
}
