import pg from 'pg'
import { describeNetError, type ProbeResult } from './endpoint-probes.ts'

/** The parts of AGENTFLEET_DATABASE_URL the registry (JDBC) and `CREATE DATABASE` need. */
export type PgTarget = Readonly<{ host: string; port: number; user: string; password: string; database: string }>

export function parseDatabaseUrl(raw: string): PgTarget {
  const url = new URL(raw)
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || 'postgres',
    // With trust auth any password works; the registry's datasource insists on one.
    password: decodeURIComponent(url.password) || 'postgres',
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
  }
}

/** Same server and credentials, maintenance database `postgres` (the app database may not exist yet). */
export function maintenanceUrl(raw: string): string {
  const url = new URL(raw)
  url.pathname = '/postgres'
  return url.toString()
}

export function jdbcUrl(target: PgTarget, database: string): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host
  return `jdbc:postgresql://${host}:${target.port}/${database}`
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`

async function withClient<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: maintenanceUrl(databaseUrl), connectionTimeoutMillis: 2_000 })
  // An error event after connect (server restart) must not crash the CLI.
  client.on('error', () => undefined)
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => undefined)
  }
}

export async function postgresProbe(databaseUrl: string): Promise<ProbeResult> {
  try {
    await withClient(databaseUrl, (c) => c.query('select 1'))
    return { ok: true }
  } catch (error) {
    return { ok: false, reason: describeNetError(error) }
  }
}

/** Creates the databases that do not exist yet; returns the ones it created. */
export async function ensureDatabases(databaseUrl: string, names: readonly string[]): Promise<string[]> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database where datname = any($1)', [names])
    const existing = new Set(rows.map((r) => r.datname))
    const created: string[] = []
    for (const name of new Set(names)) {
      if (existing.has(name)) continue
      try {
        await client.query(`create database ${quoteIdent(name)}`)
        created.push(name)
      } catch (error) {
        // 42P04 duplicate_database: a concurrent `stack up` won the race; that is fine.
        if ((error as { code?: string }).code !== '42P04') throw error
      }
    }
    return created
  })
}
