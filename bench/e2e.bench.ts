import { fork } from 'node:child_process'
import autocannon from 'autocannon'
import { Queue } from 'bullmq'
import type { BenchEnv } from './bench-env.ts'
import { waitForHttp, waitUntil } from './bench-env.ts'
import type { Row } from './commands.bench.ts'
import { describeCpu, describePeaks, peakRss } from './process-memory.ts'

const callers = 64
const workerProcesses = 2
const slots = 50

/**
 * End to end, the way a user runs it: `agentfleet dev` (every role), a pool of 2 worker
 * processes × 50 slots, N no-op tasks POSTed one by one from 64 connections; the figure is N over
 * the time from the first POST until the tasks read model shows all N completed. The peer is
 * BullMQ on the same Redis: N single `add`s from 64 callers, 2 worker processes × 50 concurrency,
 * until its completed count reaches N.
 */
export async function benchEndToEnd(
  env: BenchEnv,
  log: (line: string) => void,
  count = Number(process.env.BENCH_E2E_TASKS ?? 10_000),
): Promise<Row[]> {
  const ours = await agentfleet(env, log, count)
  const peer = await bullmq(env, log, count)
  const ratio = ours.rate / peer.rate
  return [
    {
      figure: `end-to-end no-op tasks/s (${count} HTTP submits → completed read model)`,
      value: `${Math.round(ours.rate).toLocaleString()}/s`,
      target: '-',
      ok: undefined,
    },
    {
      figure: 'end-to-end BullMQ peer (single adds → completed)',
      value: `${Math.round(peer.rate).toLocaleString()}/s`,
      target: '-',
      ok: undefined,
    },
    { figure: 'end-to-end ratio AgentFleet / BullMQ', value: `${ratio.toFixed(2)}×`, target: '≥ 1.0×', ok: ratio >= 1 },
    { figure: 'peak RSS, AgentFleet processes', value: ours.memory, target: '-', ok: undefined },
    { figure: 'peak RSS, BullMQ processes', value: peer.memory, target: '-', ok: undefined },
  ]
}

async function agentfleet(env: BenchEnv, log: (line: string) => void, count: number): Promise<{ rate: number; memory: string }> {
  const pool = 'e2e'
  const url = `http://127.0.0.1:${env.config.http.port}`
  log('starting `agentfleet dev`')
  const dev = env.spawnRole(['dev', ...(process.env.BENCH_DEV_ARGS?.split(' ').filter(Boolean) ?? [])])
  await waitForHttp(`${url}/health/ready`)
  const created = await fetch(`${url}/api/v1/pools`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: pool,
      role: 'noop',
      handler: 'echo',
      maxAgentsPerProcess: slots,
      minWorkers: workerProcesses,
      maxWorkers: workerProcesses,
    }),
  })
  if (!created.ok) throw new Error(`pool not created: ${created.status} ${await created.text()}`)
  const completed = async () =>
    Number(
      (
        await env.services.db
          .selectFrom('tasks')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('pool', '=', pool)
          .where('status', '=', 'completed')
          .executeTakeFirst()
      )?.n ?? 0,
    )
  const submit = (amount: number) =>
    autocannon({
      url: `${url}/api/v1/tasks`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'noop', pool, priority: 'NORMAL', payload: {} }),
      connections: callers,
      amount,
    })

  log(`warming up: ${workerProcesses} worker processes × ${slots} slots, 500 tasks`)
  await submit(500)
  await waitUntil(async () => (await completed()) >= 500, 120_000, 'the warm-up tasks')
  const before = await completed()

  log(`${count} tasks from ${callers} connections`)
  const started = performance.now()
  const progress = setInterval(() => void completed().then((n) => log(`  ${n - before} completed`)), 5_000)
  const result = await submit(count)
  log(
    `  submitted in ${((performance.now() - started) / 1000).toFixed(1)} s (${result['2xx']} accepted, ${result.non2xx} non-2xx, ${result.errors} errors)`,
  )
  const accepted = result['2xx']
  await waitUntil(async () => (await completed()) - before >= accepted, 600_000, 'every task to complete')
  clearInterval(progress)
  const rate = accepted / ((performance.now() - started) / 1000)
  const processes = peakRss(dev.pid!)
  const memory = describePeaks(processes)
  log(`  ${Math.round(rate)} tasks/s end to end; peak RSS ${memory}`)
  log(`  CPU time since start: ${describeCpu(processes)}`)
  await stop(dev)
  return { rate, memory }
}

async function bullmq(env: BenchEnv, log: (line: string) => void, count: number): Promise<{ rate: number; memory: string }> {
  const redis = new URL(env.config.redis.url)
  const connection = { host: redis.hostname, port: Number(redis.port || 6379), maxRetriesPerRequest: null }
  const name = `${env.config.kafka.topicPrefix}-e2e`
  const prefix = `${env.config.redis.prefix}bull`
  const queue = new Queue(name, { connection, prefix })
  log(`BullMQ: ${workerProcesses} worker processes × ${slots} concurrency`)
  const workers = Array.from({ length: workerProcesses }, () =>
    fork('bench/bullmq-worker.ts', [name, prefix, String(slots), env.config.redis.url], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
  )
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))))
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < count) {
        next++
        await queue.add('noop', { n: next })
      }
    }),
  )
  log(`  added in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  await waitUntil(async () => (await queue.getCompletedCount()) >= count, 600_000, 'every BullMQ job')
  const rate = count / ((performance.now() - started) / 1000)
  const memory = describePeaks([
    ...peakRss(process.pid)
      .filter((p) => p.pid === process.pid)
      .map((p) => ({ ...p, name: 'bench (adds)' })),
    ...workers.flatMap((w) => peakRss(w.pid!).map((p) => ({ ...p, name: 'bullmq worker' }))),
  ])
  log(`  ${Math.round(rate)} jobs/s end to end; peak RSS ${memory}`)
  await Promise.all(workers.map(stop))
  await queue.obliterate({ force: true })
  await queue.close()
  return { rate, memory }
}

const stop = (child: import('node:child_process').ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
