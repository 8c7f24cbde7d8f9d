import net from 'node:net'
import type { Endpoint } from './layout.ts'

/**
 * Readiness of the local broker by one Metadata request over a raw socket.
 * Not kafkajs: each kafkajs client on Node 24 prints a TimeoutNegativeWarning
 * (tulios/kafkajs#1751), which would litter `stack up` with noise on every poll.
 * Metadata v6 (non-flexible) is inside what Kafka 4.x serves (KIP-896 dropped v0–v3) and what kafkajs uses.
 */
const METADATA = 3
const VERSION = 6

export function encodeMetadataRequest(correlationId: number, clientId: string): Buffer {
  const client = Buffer.from(clientId, 'utf8')
  // header v1: api_key, api_version, correlation_id, client_id; body: topics=[] (none), allow_auto_topic_creation=false
  const body = Buffer.alloc(2 + 2 + 4 + 2 + client.length + 4 + 1)
  let o = body.writeInt16BE(METADATA, 0)
  o = body.writeInt16BE(VERSION, o)
  o = body.writeInt32BE(correlationId, o)
  o = body.writeInt16BE(client.length, o)
  o += client.copy(body, o)
  o = body.writeInt32BE(0, o)
  body.writeInt8(0, o)
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length)
  return Buffer.concat([size, body])
}

export type MetadataBrokers = Readonly<{ correlationId: number; brokers: ReadonlyArray<{ nodeId: number; host: string; port: number }> }>

/** Decodes the response frame (size prefix included) up to the broker list; the rest is not needed. */
export function decodeMetadataBrokers(frame: Buffer): MetadataBrokers {
  let o = 4 // size
  const correlationId = frame.readInt32BE(o)
  o += 4
  o += 4 // throttle_time_ms
  const count = frame.readInt32BE(o)
  o += 4
  const brokers: Array<{ nodeId: number; host: string; port: number }> = []
  for (let i = 0; i < count; i++) {
    const nodeId = frame.readInt32BE(o)
    const hostLength = frame.readInt16BE(o + 4)
    const host = frame.toString('utf8', o + 6, o + 6 + hostLength)
    o += 6 + hostLength
    const port = frame.readInt32BE(o)
    const rackLength = frame.readInt16BE(o + 4)
    o += 6 + Math.max(0, rackLength)
    brokers.push({ nodeId, host, port })
  }
  return { correlationId, brokers }
}

/** True when the broker answers Metadata listing at least one broker (it is unfenced and serving). */
export function kafkaMetadataReady(endpoint: Endpoint, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(endpoint)
    let received = Buffer.alloc(0)
    const finish = (ready: boolean): void => {
      socket.destroy()
      resolve(ready)
    }
    socket.setTimeout(timeoutMs, () => finish(false))
    socket.once('error', () => finish(false))
    // The peer may hang up without an error (e.g. a controller listener); settle then too.
    socket.once('close', () => finish(false))
    socket.once('connect', () => socket.write(encodeMetadataRequest(1, 'agentfleet-stack-probe')))
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk])
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return
      try {
        const { correlationId, brokers } = decodeMetadataBrokers(received)
        finish(correlationId === 1 && brokers.length > 0)
      } catch {
        finish(false)
      }
    })
  })
}
