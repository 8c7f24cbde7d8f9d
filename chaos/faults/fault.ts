import type { Db } from '../../src/infra/postgres.ts'
import type { Redis } from '../../src/infra/redis.ts'
import type { PrivateBroker } from '../../test/support/private-broker.ts'
import type { Probes, Recovery } from '../probes.ts'
import type { RoleName, RoleProcess } from '../role-process.ts'

/** Everything a fault may act on, and the probes that time the recovery. */
export type FaultContext = Readonly<{
  roles: Readonly<Record<RoleName, RoleProcess>>
  broker: PrivateBroker
  brokerPort: number
  probes: Probes
  sideEffectsDir: string
  /** the suite's own connections (never cut by a fault) */
  db: Db
  redis: Redis
  /** application_name / Redis client name of the roles' connections */
  tag: string
  redisPrefix: string
  /** how long a killed role stays down before it is started again */
  downtimeMs: number
  recoveryTimeoutMs: number
  log: (line: string) => void
}>

export type FaultOutcome = Readonly<{ recoveryMs: Recovery; note?: string }>

export type Fault = Readonly<{
  name: string
  /** what the fault does */
  does: string
  /** how its recovery time is measured */
  measure: string
  /** only in the full run */
  fullOnly: boolean
  inject: (ctx: FaultContext) => Promise<FaultOutcome>
}>
