import type { Db } from '../src/infra/postgres.ts'
import type { Ledger } from './ledger.ts'
import { waitFor } from './wait.ts'

const open = ['created', 'waiting', 'queued', 'claimed', 'running', 'awaiting_input', 'retry_scheduled']

/**
 * After the load stops: the clients keep retrying what is unanswered and the tasks keep running,
 * together at most `timeoutMs`; done early once every submission is answered and no task of the
 * namespace is open. Returns how long it took.
 */
export async function settle(ledger: Ledger, db: Db, timeoutMs: number): Promise<number> {
  const began = Date.now()
  await ledger.settle(timeoutMs)
  await waitFor(
    async () => {
      const row = await db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', open)
        .executeTakeFirst()
      return Number(row?.n ?? 1) === 0 ? true : undefined
    },
    Math.max(0, timeoutMs - (Date.now() - began)),
    250,
  )
  return Date.now() - began
}
