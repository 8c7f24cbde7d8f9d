import autocannon from 'autocannon'
import type { BenchEnv } from './bench-env.ts'
import { createPool, waitForHttp } from './bench-env.ts'

export type Row = Readonly<{ figure: string; value: string; target: string; ok: boolean | undefined }>

const body = JSON.stringify({ title: 'bench', pool: 'bench', priority: 'NORMAL', payload: { n: 1 } })

const load = (url: string, options: { connections: number; seconds: number; overallRate?: number }) =>
  autocannon({
    url: `${url}/api/v1/tasks`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: options.connections,
    duration: options.seconds,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
  })

/** Accepted commands/s at saturation, then p99 latency at half that rate (DESIGN §9). */
export async function benchCommands(env: BenchEnv, log: (line: string) => void): Promise<Row[]> {
  const api = env.spawnRole(['api'])
  const url = `http://127.0.0.1:${env.config.http.port}`
  await waitForHttp(`${url}/health`)
  // Nothing consumes during the run: a projector runs only until the pool is projected.
  const projector = env.spawnRole(['projector'])
  await createPool(url, 'bench', 'pull')
  projector.kill('SIGTERM')
  log('warming up the api (3 s)')
  await load(url, { connections: 16, seconds: 3 })
  log('saturating: 64 connections for 10 s')
  const max = await load(url, { connections: 64, seconds: 10 })
  const accepted = max['2xx'] / 10
  log(`  ${Math.round(accepted)} accepted/s, ${max.non2xx} non-2xx, ${max.errors} errors`)
  const half = Math.max(1, Math.round(accepted / 2))
  log(`latency at half load: ${half} req/s for 10 s`)
  const steady = await load(url, { connections: 64, seconds: 10, overallRate: half })
  api.kill('SIGTERM')
  return [
    {
      figure: 'accepted commands/s (one event each, acks=all)',
      value: String(Math.round(accepted)),
      target: '≥ 5,000',
      ok: accepted >= 5000,
    },
    {
      figure: `command latency p99 at half load (${half}/s)`,
      value: `${steady.latency.p99} ms`,
      target: '≤ 25 ms',
      ok: steady.latency.p99 <= 25,
    },
  ]
}
