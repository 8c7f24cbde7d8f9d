import { availableParallelism } from 'node:os'
import { build as histogram } from 'hdr-histogram-js'
import type { BenchEnv } from './bench-env.ts'
import { createPool, waitForHttp } from './bench-env.ts'
import type { Row } from './commands.bench.ts'
import { createHttpClient } from './http-client.ts'

/**
 * Command → read model visible: POST at a steady rate; each client then reads its own write
 * with ?minVersion= (read-your-writes), and the time from POST to that read's answer counts.
 * Every projection and every reactor runs meanwhile, as in production.
 */
export async function benchVisibility(
  env: BenchEnv,
  log: (line: string) => void,
  rate = Number(process.env.BENCH_VISIBILITY_RATE ?? 1_000),
  seconds = 10,
): Promise<Row[]> {
  // As `dev` runs it on this machine: one API process per core.
  const api = env.spawnRole(['api', '--workers', String(Math.min(4, availableParallelism()))])
  const projector = env.spawnRole(['projector'])
  const reactors = env.spawnRole(['reactors'])
  const url = `http://127.0.0.1:${env.config.http.port}`
  await waitForHttp(`${url}/health`)
  await createPool(url, 'bench', 'pull')
  const h = histogram({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000, numberOfSignificantValueDigits: 3 })
  const post = histogram({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000, numberOfSignificantValueDigits: 3 })
  const client = createHttpClient(url, 256)
  const failures = new Map<number, number>()
  const one = async () => {
    const started = performance.now()
    const res = await client.send('POST', '/api/v1/tasks', '{"title":"v","pool":"bench"}')
    if (res.status !== 201) {
      failures.set(res.status, (failures.get(res.status) ?? 0) + 1)
      return
    }
    const { id, version } = JSON.parse(res.body) as { id: string; version: number }
    post.recordValue(Math.max(1, Math.round(performance.now() - started)))
    const read = await client.send('GET', `/api/v1/tasks/${id}?minVersion=${version}`)
    if (read.status === 200) h.recordValue(Math.max(1, Math.round(performance.now() - started)))
  }
  log('warming up (2 s)')
  await fire(one, rate / 4, 2)
  h.reset()
  post.reset()
  log(`${rate} commands/s for ${seconds} s, each read back`)
  await fire(one, rate, seconds)
  client.close()
  api.kill('SIGTERM')
  projector.kill('SIGTERM')
  reactors.kill('SIGTERM')
  const p99 = h.getValueAtPercentile(99)
  if (failures.size > 0) log(`  failed commands by status: ${JSON.stringify(Object.fromEntries(failures))}`)
  log(
    `  p50 ${h.getValueAtPercentile(50)} ms, p99 ${p99} ms over ${h.totalCount} commands (the POST alone: p50 ${post.getValueAtPercentile(50)} ms, p99 ${post.getValueAtPercentile(99)} ms)`,
  )
  return [{ figure: `command → read model visible, p99 at ${rate} cmd/s`, value: `${p99} ms`, target: '≤ 100 ms', ok: p99 <= 100 }]
}

/** Starts `perSecond` calls per second (open loop) for `seconds`, then waits for all. */
async function fire(call: () => Promise<void>, perSecond: number, seconds: number): Promise<void> {
  const pending: Promise<void>[] = []
  const interval = 1000 / perSecond
  const start = performance.now()
  for (let i = 0; i < perSecond * seconds; i++) {
    const due = start + i * interval
    const wait = due - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    pending.push(call().catch(() => undefined))
  }
  await Promise.all(pending)
}
