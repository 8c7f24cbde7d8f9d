// `npm run profile -- [e2e|projector] [N]`: CPU profiles of every process under load, with
// Postgres' and Redis' own statistics of the same run. See docs/profiling.md.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import autocannon from 'autocannon'
import { sql } from 'kysely'
import { silenceKnownWarnings } from '../src/infra/known-warnings.ts'
import { createBenchEnv, createPool, waitForHttp, waitUntil, type BenchEnv } from './bench-env.ts'
import { summarizeProfile } from './cpu-profile.ts'
import { peakRss } from './process-memory.ts'
import { writeTaskEvents } from './projector.bench.ts'

silenceKnownWarnings()
const scenario = process.argv[2] ?? 'e2e'
const count = Number(process.argv[3] ?? (scenario === 'projector' ? 100_000 : 10_000))
const out = resolve('profiles', `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-${scenario}`)
mkdirSync(out, { recursive: true })
const lines: string[] = []
const say = (line = '') => {
  lines.push(line)
  process.stdout.write(`${line}\n`)
}
const profiled = { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${out}` }

/** Every role as `dev` runs them; N no-op tasks POSTed from 64 connections until the read model shows them completed. */
async function endToEnd(env: BenchEnv): Promise<{ seconds: number; roles: Map<number, string> }> {
  const url = `http://127.0.0.1:${env.config.http.port}`
  const dev = env.spawnRole(['dev'], profiled)
  await waitForHttp(`${url}/health/ready`)
  // A task's pool must exist: wait until the pool is projected before the first POST.
  await createPool(url, 'profile', 'workers', { handler: 'echo', maxAgentsPerProcess: 50, minWorkers: 2, maxWorkers: 2 })
  const completed = async () =>
    Number(
      (
        await env.services.db
          .selectFrom('tasks')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'completed')
          .executeTakeFirst()
      )?.n ?? 0,
    )
  const started = performance.now()
  await autocannon({
    url: `${url}/api/v1/tasks`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'p', pool: 'profile', payload: {} }),
    connections: 64,
    amount: count,
  })
  await waitUntil(async () => (await completed()) >= count, 900_000, 'every task to complete')
  const seconds = (performance.now() - started) / 1000
  const roles = new Map(peakRss(dev.pid!).map((p) => [p.pid, p.name]))
  await new Promise<void>((r) => {
    dev.once('exit', () => r())
    dev.kill('SIGTERM')
  })
  return { seconds, roles }
}

/** N TaskCreated events already in the log; the projector (every projection) folds them. */
async function projector(env: BenchEnv): Promise<{ seconds: number; roles: Map<number, string> }> {
  await writeTaskEvents(env, (l) => say(l), count)
  const applied = async () =>
    Number(
      (
        await env.services.db
          .selectFrom('projector_checkpoints')
          .select((eb) => eb.fn.sum<number>('next_offset').as('n'))
          .where('consumer', '=', 'main')
          .where('topic', 'like', '%.task.events')
          .executeTakeFirst()
      )?.n ?? 0,
    )
  await resetStatistics(env)
  const started = performance.now()
  const role = env.spawnRole(['projector'], profiled)
  await waitUntil(async () => (await applied()) >= count, 900_000, 'the projector to catch up')
  const seconds = (performance.now() - started) / 1000
  const roles = new Map(peakRss(role.pid!).map((p) => [p.pid, p.name]))
  await new Promise<void>((r) => {
    role.once('exit', () => r())
    role.kill('SIGTERM')
  })
  return { seconds, roles }
}

let statements = false
async function resetStatistics(env: BenchEnv): Promise<void> {
  statements = await sql`select public.pg_stat_statements_reset()`.execute(env.services.db).then(
    () => true,
    () => false,
  )
  await env.services.redis.config('RESETSTAT')
}

const env = await createBenchEnv()
const { services } = env
await resetStatistics(env)
say(`# Profile: ${scenario}, ${count} (${new Date().toISOString()})`)
const { seconds, roles } = scenario === 'projector' ? await projector(env) : await endToEnd(env)
say(`${count} in ${seconds.toFixed(1)} s: ${Math.round(count / seconds)}/s`)

for (const file of readdirSync(out).filter((f) => f.endsWith('.cpuprofile'))) {
  const pid = Number(file.split('.')[3])
  const { busyMs, functions, areas } = summarizeProfile(join(out, file))
  say(
    `\n## ${roles.get(pid) ?? 'process'} (pid ${pid}): ${(busyMs / 1000).toFixed(1)} s on CPU (${Math.round((busyMs / 1000 / seconds) * 100)}% of a core)`,
  )
  say(
    `by area (native work charged to its caller): ${areas
      .slice(0, 10)
      .map((a) => `${a.what} ${Math.round(a.share * 100)}%`)
      .join(', ')}`,
  )
  for (const f of functions) say(`  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.what}`)
}

say('\n## Postgres (pg_stat_statements, by total time)')
if (statements) {
  const ours = sql`dbid = (select oid from pg_database where datname = current_database()) and query not like '%pg_stat_statements%'`
  const top = await sql<{ calls: number; total_ms: number; mean_ms: number; rows: number; query: string }>`
    select calls, round(total_exec_time)::int as total_ms, round(mean_exec_time::numeric, 3)::float as mean_ms, rows, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 110) as query
    from public.pg_stat_statements where ${ours} order by total_exec_time desc limit 15`.execute(services.db)
  for (const r of top.rows)
    say(`  ${String(r.total_ms).padStart(7)} ms ${String(r.calls).padStart(8)} calls ${String(r.mean_ms).padStart(8)} ms/call  ${r.query}`)
  const all = await sql<{
    calls: number
    ms: number
  }>`select sum(calls)::int as calls, round(sum(total_exec_time))::int as ms from public.pg_stat_statements where ${ours}`.execute(
    services.db,
  )
  say(
    `  ${all.rows[0]?.calls ?? 0} statements, ${all.rows[0]?.ms ?? 0} ms in all: ${((all.rows[0]?.calls ?? 0) / count).toFixed(2)} per ${scenario === 'projector' ? 'event' : 'task'}`,
  )
} else {
  say(
    '  pg_stat_statements is not loaded: add it to shared_preload_libraries, restart Postgres, `create extension pg_stat_statements` (docs/profiling.md)',
  )
}

say('\n## Redis (INFO commandstats, by calls)')
const stats = (await services.redis.info('commandstats'))
  .split('\n')
  .flatMap((l) => {
    const m = /^cmdstat_(\w+):calls=(\d+),usec=(\d+)/.exec(l)
    return m ? [{ cmd: m[1]!, calls: Number(m[2]), usec: Number(m[3]) }] : []
  })
  .sort((a, b) => b.calls - a.calls)
for (const s of stats.slice(0, 12))
  say(`  ${s.cmd.padEnd(14)} ${String(s.calls).padStart(9)} calls ${String(Math.round(s.usec / 1000)).padStart(7)} ms`)
say(
  `  ${stats.reduce((n, s) => n + s.calls, 0)} commands in all: ${(stats.reduce((n, s) => n + s.calls, 0) / count).toFixed(1)} per ${scenario === 'projector' ? 'event' : 'task'} (the Redis server is shared: other clients count too)`,
)

writeFileSync(join(out, 'summary.md'), `${lines.join('\n')}\n`)
say(`\nprofiles and summary in ${out}`)
await env.cleanup()
process.exit(0)
