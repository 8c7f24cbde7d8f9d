import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { loadConfig, type Config } from '../src/config.ts'
import { createLogger } from '../src/infra/logger.ts'
import { pollUntil } from '../src/infra/retry.ts'
import { connectServices, type Services } from '../src/infra/services.ts'
import { prepareEnvironment } from '../src/setup.ts'
import { dropNamespace } from '../src/ops/drop-namespace.ts'

export type BenchEnv = Readonly<{
  config: Config
  env: Record<string, string>
  services: Services
  /** starts `agentfleet <args>` as a child process with this environment */
  spawnRole: (args: readonly string[], extraEnv?: Record<string, string>) => ChildProcess
  cleanup: () => Promise<void>
}>

/** A private prefix/schema/Redis namespace on the running stack; removed afterwards. */
export async function createBenchEnv(): Promise<BenchEnv> {
  const id = randomBytes(3).toString('hex')
  const env: Record<string, string> = {
    AGENTFLEET_TOPIC_PREFIX: `bench-${id}`,
    AGENTFLEET_DATABASE_SCHEMA: `bench_${id}`,
    AGENTFLEET_REDIS_PREFIX: `bench:${id}:`,
    AGENTFLEET_HTTP_PORT: String(18000 + Math.floor(Math.random() * 1000)),
    AGENTFLEET_LOG_LEVEL: 'warn',
  }
  const config = loadConfig({ ...process.env, ...env })
  const services = await connectServices(config, createLogger(config, 'bench'), 'bench', { resolveSchemas: false })
  await prepareEnvironment(services)
  const children: ChildProcess[] = []
  return {
    config,
    env,
    services,
    spawnRole(args, extraEnv = {}) {
      // BENCH_CPU_PROF_DIR=dir: every role writes a V8 CPU profile there (summarize with `node bench/cpu-profile.ts dir`).
      const profiling = process.env.BENCH_CPU_PROF_DIR
        ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}` }
        : {}
      const child = spawn(process.execPath, ['bin/agentfleet.js', ...args], {
        env: { ...process.env, ...env, ...profiling, ...extraEnv },
        stdio: ['ignore', 'ignore', 'inherit'],
      })
      children.push(child)
      return child
    },
    async cleanup() {
      // A role already asked to stop is only awaited: a second SIGTERM would end it at once.
      await Promise.all(
        children.map((c) =>
          c.exitCode === null && c.signalCode === null
            ? new Promise((r) => {
                c.once('exit', r)
                if (!c.killed) c.kill('SIGTERM')
              })
            : undefined,
        ),
      )
      await dropNamespace(services)
      await services.close()
    },
  }
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const done = await pollUntil(async () => (await check()) || undefined, { timeoutMs, minMs: 10, maxMs: 50 })
  if (!done) throw new Error(`timed out waiting for ${what}`)
}

/** Creates a pool over the API and waits until it is projected (a task's pool must exist; a projector must run). */
export async function createPool(url: string, name: string, mode: 'workers' | 'pull', extra: Record<string, unknown> = {}): Promise<void> {
  const created = await fetch(`${url}/api/v1/pools`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, role: name, mode, ...extra }),
  })
  if (!created.ok) throw new Error(`pool ${name} not created: ${created.status} ${await created.text()}`)
  await waitUntil(async () => (await fetch(`${url}/api/v1/pools/${name}`)).ok, 30_000, `pool ${name} projected`)
}

export const waitForHttp = (url: string) => waitUntil(async () => (await fetch(url).catch(() => undefined))?.ok === true, 30_000, url)
