import { brokerFaults } from './broker-faults.ts'
import type { Fault } from './fault.ts'
import { infraFaults } from './infra-faults.ts'
import { roleFaults } from './role-faults.ts'

/** Every fault, in the order a run injects them. */
export const faults: readonly Fault[] = [...roleFaults, ...infraFaults, ...brokerFaults]

export const faultNames = faults.map((f) => f.name)

/** The faults of a run: the short run leaves out the full-only ones; `only` picks by name. */
export function selectFaults(short: boolean, only: readonly string[] | undefined): Fault[] {
  if (only && only.length > 0) {
    const unknown = only.filter((n) => !faultNames.includes(n))
    if (unknown.length > 0) throw new Error(`unknown fault ${unknown.join(', ')}; known: ${faultNames.join(', ')}`)
    return faults.filter((f) => only.includes(f.name))
  }
  return faults.filter((f) => !short || !f.fullOnly)
}
