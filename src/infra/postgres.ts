import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Config } from '../config.ts'
import type { Database } from '../projections/database.ts'

// int8 (bigint) columns come back as strings by default; offsets and counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

export type Db = Kysely<Database>

/** A pool whose connections use the configured schema, so tests can own a schema each. */
export function createPool(config: Pick<Config, 'postgres'>, max = 10): pg.Pool {
  return new pg.Pool({
    connectionString: config.postgres.url,
    max,
    options: `-c search_path=${config.postgres.schema}`,
    connectionTimeoutMillis: 3_000,
  })
}

export function createDb(config: Pick<Config, 'postgres'>, max = 10): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(config, max) }) })
}
