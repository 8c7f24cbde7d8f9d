import type { Db } from '../src/infra/postgres.ts'
import type { Ledger } from './ledger.ts'

/** A progress line every few seconds: the phase or fault now, submissions and their answers, tasks completed. */
export function startProgress(deps: { ledger: Ledger; db: Db; log: (line: string) => void; everyMs?: number }) {
  let phase = 'warm-up'
  const line = async () => {
    const completed = await deps.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'completed')
      .executeTakeFirst()
      .then((r) => String(r?.n ?? 0))
      .catch(() => '?')
    const { ledger } = deps
    deps.log(
      `  [${phase}] submitted ${ledger.count()}, acknowledged ${ledger.acknowledged()}, awaiting an answer ${ledger.pending()}; tasks completed ${completed}`,
    )
  }
  const timer = setInterval(() => void line(), deps.everyMs ?? 5_000)
  return {
    phase: (now: string) => {
      phase = now
    },
    stop: () => clearInterval(timer),
  }
}
