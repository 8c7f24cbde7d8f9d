// One BullMQ worker process for the end-to-end peer figure: `node bench/bullmq-worker.ts <queue> <prefix> <concurrency> <redis-url>`.
import { Worker } from 'bullmq'

const [name, prefix, concurrency, redisUrl] = process.argv.slice(2)
const url = new URL(redisUrl!)
const worker = new Worker(name!, async (job) => job.data, {
  connection: { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null },
  prefix,
  concurrency: Number(concurrency),
})
await worker.waitUntilReady()
process.send?.('ready')
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)))
