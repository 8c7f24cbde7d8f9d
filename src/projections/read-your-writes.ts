import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import pg from 'pg'
import type { Config } from '../config.ts'
import type { Db } from '../database/schema.ts'
import type { Logger } from '../infra/logger.ts'
import { retry } from '../infra/retry.ts'

/** The notification channel projector groups signal on after each committed unit of work (one per schema). */
export const projectionChannel = (schema: string): string => `agentfleet_projected_${schema}`.slice(0, 63)

/** Resolves on the next committed unit of work of any projector group, or after `timeoutMs`. */
export type ProjectionChanges = Readonly<{ next: (timeoutMs: number) => Promise<void>; close: () => Promise<void> }>

/**
 * One LISTEN connection per process: waiting reads re-check when a projector group commits rather
 * than polling the read model (1,000 waiting reads polling every few milliseconds are thousands
 * of queries a second for nothing). While the connection is down, `next` degrades to short sleeps.
 */
export function listenForProjections(config: Pick<Config, 'postgres'>, logger: Logger): ProjectionChanges {
  const channel = projectionChannel(config.postgres.schema)
  let waiters: (() => void)[] = []
  let connected = false
  let closed = false
  let client: pg.Client | undefined
  const stopped = new AbortController()
  const wake = () => {
    const woken = waiters
    waiters = []
    for (const w of woken) w()
  }
  const listen = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: config.postgres.url, connectionTimeoutMillis: 3_000 })
    c.on('error', (error) => logger.warn({ err: { message: error.message } }, 'projection listener lost its connection; reconnecting'))
    try {
      await c.connect()
      await c.query(`listen "${channel}"`)
    } catch (error) {
      await c.end().catch(() => undefined)
      throw error
    }
    if (closed) return void (await c.end().catch(() => undefined))
    c.on('notification', wake)
    c.on('end', () => {
      connected = false
      wake()
      if (!closed) void connect()
    })
    client = c
    connected = true
  }
  const connect = () =>
    retry(listen, {
      minMs: 100,
      signal: stopped.signal,
      onRetry: (error, attempt) => {
        if (attempt % 10 === 1)
          logger.warn({ err: { message: (error as Error).message } }, 'projection listener cannot connect; waiting reads poll meanwhile')
      },
    }).catch(() => undefined)
  void connect()
  return {
    next: (timeoutMs) =>
      new Promise<void>((resolve) => {
        const wait = connected ? timeoutMs : Math.min(timeoutMs, 25)
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== done)
          resolve()
        }, wait)
        const done = () => {
          clearTimeout(timer)
          resolve()
        }
        waiters.push(done)
      }),
    close: async () => {
      closed = true
      stopped.abort()
      wake()
      await client?.end().catch(() => undefined)
    },
  }
}

export type VersionWait<R> = Readonly<{ row: R | undefined; reached: boolean }>

/** Where a waiting read's version can be checked in bulk: a read model table and the row's key. */
export type VersionProbe = Readonly<{ table: 'tasks' | 'agents' | 'hitl_requests' | 'projects' | 'workflows'; key: string }>

type Watcher = { key: string; minVersion: number; deadline: number; done: (reached: boolean) => void }

/**
 * Read-your-writes: reads until the row has reached `minVersion` or `waitMs` has passed. With a
 * probe, waiting reads share the checks: after each projector commit (and every 250 ms regardless,
 * should a notification be missed) one query per table asks for the versions of every waiting row,
 * and only a read that has reached its version reads its row again — a thousand waiting reads cost
 * a handful of queries per commit instead of a thousand.
 */
export function createVersionWaiter(deps: { waitMs: number; changes?: ProjectionChanges; db?: Db }) {
  const watchers = new Map<VersionProbe['table'], Watcher[]>()
  let pumping = false

  const check = async (table: VersionProbe['table'], list: readonly Watcher[]): Promise<void> => {
    const keys = [...new Set(list.map((w) => w.key))]
    const { rows } = await sql<{
      k: string
      version: number
    }>`select id as k, version from ${sql.table(table)} where id = any(${keys}::text[])`.execute(deps.db!)
    const versions = new Map(rows.map((r) => [r.k, r.version]))
    const now = Date.now()
    const left: Watcher[] = []
    for (const w of list) {
      if ((versions.get(w.key) ?? 0) >= w.minVersion) w.done(true)
      else if (now >= w.deadline) w.done(false)
      else left.push(w)
    }
    const current = watchers.get(table) ?? []
    watchers.set(table, [...left, ...current.filter((w) => !list.includes(w))])
  }
  const pump = async (): Promise<void> => {
    if (pumping) return
    pumping = true
    try {
      while ([...watchers.values()].some((l) => l.length > 0)) {
        await deps.changes!.next(250)
        await Promise.all(
          [...watchers]
            .filter(([, l]) => l.length > 0)
            .map(([table, l]) =>
              check(table, l).catch(() => {
                // The read model is unreachable for now: the readers find out when they read.
                for (const w of l) if (Date.now() >= w.deadline) w.done(false)
              }),
            ),
        )
      }
    } finally {
      pumping = false
    }
  }
  const watch = (probe: VersionProbe, minVersion: number, deadline: number) =>
    new Promise<boolean>((resolve) => {
      const list = watchers.get(probe.table) ?? []
      list.push({ key: probe.key, minVersion, deadline, done: resolve })
      watchers.set(probe.table, list)
      void pump()
    })

  return async function waitForVersion<R extends { version: number }>(
    read: () => Promise<R | undefined>,
    minVersion: number | undefined,
    probe?: VersionProbe,
  ): Promise<VersionWait<R>> {
    let row = await read()
    if (minVersion === undefined || (row?.version ?? 0) >= minVersion) return { row, reached: true }
    const deadline = Date.now() + deps.waitMs
    if (probe && deps.changes && deps.db) {
      if (!(await watch(probe, minVersion, deadline))) return { row: await read(), reached: false }
      row = await read()
      return { row, reached: (row?.version ?? 0) >= minVersion }
    }
    while ((row?.version ?? 0) < minVersion && Date.now() < deadline) {
      const left = deadline - Date.now()
      if (deps.changes) await deps.changes.next(Math.min(250, left))
      else await sleep(Math.min(10, left))
      row = await read()
    }
    return { row, reached: (row?.version ?? 0) >= minVersion }
  }
}

export type VersionWaiter = ReturnType<typeof createVersionWaiter>
