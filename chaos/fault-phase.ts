import type { Fault, FaultContext } from './faults/fault.ts'
import type { FaultRecord } from './system-checks.ts'
import { seconds, sleep } from './wait.ts'

const shuffled = <T>(items: readonly T[]): T[] => {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/**
 * Injects each fault in turn while the load runs — the first round in catalogue order, later
 * rounds shuffled — each after a quiet gap with jitter, and records how long recovery took.
 */
export async function runFaults(deps: {
  faults: readonly Fault[]
  rounds: number
  gapMs: number
  ctx: FaultContext
  onFault: (name: string) => void
  log: (line: string) => void
}): Promise<FaultRecord[]> {
  const records: FaultRecord[] = []
  for (let round = 1; round <= deps.rounds; round++) {
    for (const fault of round === 1 ? deps.faults : shuffled(deps.faults)) {
      await sleep(deps.gapMs + Math.random() * 1_000)
      const label = deps.rounds > 1 ? `${fault.name} (round ${round})` : fault.name
      deps.onFault(label)
      deps.log(`fault ${label}: ${fault.does}`)
      const outcome = await fault.inject(deps.ctx).catch((error: unknown) => ({
        recoveryMs: undefined,
        note: `the fault itself failed: ${(error as Error).message}`,
      }))
      records.push({ fault: label, measure: fault.measure, ...outcome })
      deps.log(
        `fault ${label}: ${outcome.recoveryMs === undefined ? 'NO RECOVERY' : `recovered in ${seconds(outcome.recoveryMs)}`} (${fault.measure})${outcome.note ? `; ${outcome.note}` : ''}`,
      )
    }
  }
  return records
}
