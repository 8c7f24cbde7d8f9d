import { Queue, Worker } from 'bullmq'
import type { BenchEnv } from './bench-env.ts'
import { waitUntil } from './bench-env.ts'
import type { Row } from './commands.bench.ts'

/**
 * The peer figure: no-op jobs through one BullMQ worker (concurrency 32) on the same Redis, from
 * the first job started to the last completed over a backlog added beforehand.
 */
export async function benchBullmq(env: BenchEnv, log: (line: string) => void, count = 3_000): Promise<Row[]> {
  const url = new URL(env.config.redis.url)
  const connection = { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null }
  const name = `${env.config.kafka.topicPrefix}-bullmq`
  const queue = new Queue(name, { connection, prefix: `${env.config.redis.prefix}bull` })
  log(`adding ${count} no-op jobs to BullMQ`)
  for (let i = 0; i < count; i += 500)
    await queue.addBulk(Array.from({ length: Math.min(500, count - i) }, (_, j) => ({ name: 'noop', data: { n: i + j } })))
  let first = 0
  let last = 0
  let done = 0
  const worker = new Worker(
    name,
    async (job) => {
      if (!first) first = Date.now()
      return job.data
    },
    { connection, prefix: `${env.config.redis.prefix}bull`, concurrency: 32 },
  )
  worker.on('completed', () => {
    done++
    last = Date.now()
  })
  await waitUntil(async () => done >= count, 300_000, 'every BullMQ job')
  const rate = count / ((last - first) / 1000)
  log(`  ${Math.round(rate)} jobs/s`)
  await worker.close()
  await queue.obliterate({ force: true })
  await queue.close()
  return [
    {
      figure: 'no-op jobs through one BullMQ worker (peer)',
      value: `${Math.round(rate).toLocaleString()} jobs/s`,
      target: '-',
      ok: undefined,
    },
  ]
}
