import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Config } from '../config.ts'
import type { Database, Db } from '../database/schema.ts'
import type { Logger } from './logger.ts'

// int8 (bigint) columns come back as strings by default; offsets and counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

export type { Db }

export type PoolOptions = Readonly<{ max?: number; logger?: Pick<Logger, 'warn'> }>

/**
 * A pool whose connections use the configured schema, so tests can own a schema each.
 * A connection the server drops (failover, `pg_terminate_backend`, idle timeouts) emits 'error'
 * on its client: on the pool while the client is idle, on the client alone while it is checked
 * out (a transaction between two statements, a held lock). Unheard, either ends the process. The
 * statement in flight fails with the error, the broken client is discarded on release and the
 * next query opens a new one, so a warning is all it takes.
 */
export function createPool(config: Pick<Config, 'postgres'>, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.postgres.url,
    max: options.max ?? 10,
    options: `-c search_path=${config.postgres.schema}`,
    connectionTimeoutMillis: 3_000,
  })
  const lost = (error: Error) =>
    options.logger?.warn(
      { err: { message: error.message, code: (error as { code?: string }).code } },
      'postgres connection lost; the pool reconnects',
    )
  // Each client's own listener logs; the pool's (idle clients) only keeps the process alive.
  pool.on('connect', (client) => client.on('error', lost))
  pool.on('error', () => undefined)
  return pool
}

export function createDb(config: Pick<Config, 'postgres'>, options: PoolOptions = {}): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(config, options) }) })
}
