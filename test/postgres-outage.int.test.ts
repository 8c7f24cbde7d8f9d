import pg from 'pg'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, waitFor, type Harness } from './support/harness.ts'

/** Backends of this harness' pool: its connections set search_path to the harness' schema. */
const backendsOf = async (admin: pg.Client, schema: string): Promise<number[]> =>
  (
    await admin.query<{ pid: number }>(`select pid from pg_stat_activity where pid <> pg_backend_pid() and query like $1`, [
      `%${schema}-marker%`,
    ])
  ).rows.map((r) => r.pid)

describe('a dropped Postgres connection', () => {
  let h: Harness
  let admin: pg.Client
  beforeAll(async () => {
    h = await startHarness({ api: false, projector: false, reactors: false })
    admin = new pg.Client({ connectionString: h.config.postgres.url })
    await admin.connect()
  })
  afterAll(async () => {
    await admin.end()
    await h.stop()
  })

  it('costs the process nothing: the idle client is dropped and the next query reconnects', async () => {
    const marker = sql.raw(`'${h.config.postgres.schema}-marker'`)
    // Open several pooled connections and leave them idle, each having run the marker query last.
    await Promise.all(Array.from({ length: 4 }, () => sql`select ${marker}, pg_sleep(0.05)`.execute(h.services.db)))
    const pids = await backendsOf(admin, h.config.postgres.schema)
    expect(pids.length).toBeGreaterThan(0)
    await admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids])
    await waitFor(async () => (await backendsOf(admin, h.config.postgres.schema)).length === 0, 'the backends to end')
    // An idle client notices the closed socket on the next tick of the event loop.
    await new Promise((r) => setTimeout(r, 100))
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(h.services.db)
    expect(rows[0]?.one).toBe(1)
  })

  it('costs the process nothing while a client is checked out: the transaction fails, the next one runs', async () => {
    const marker = sql.raw(`'${h.config.postgres.schema}-held'`)
    const held = h.services.db.transaction().execute(async (trx) => {
      await sql`select ${marker}`.execute(trx)
      // Terminated between two statements: the client is checked out and idle in a transaction.
      const [pid] = (
        await admin.query<{ pid: number }>(`select pid from pg_stat_activity where pid <> pg_backend_pid() and query like $1`, [
          `%${h.config.postgres.schema}-held%`,
        ])
      ).rows.map((r) => r.pid)
      await admin.query('select pg_terminate_backend($1)', [pid])
      await new Promise((r) => setTimeout(r, 200))
      await sql`select 2`.execute(trx)
    })
    await expect(held).rejects.toThrow()
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(h.services.db)
    expect(rows[0]?.one).toBe(1)
  })
})
