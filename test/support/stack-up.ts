import { spawnSync } from 'node:child_process'

/**
 * Global setup of the integration tests: `agentfleet stack up`, so `npm test` needs nothing started
 * by hand. It returns at once when Kafka and the registry already run; on a fresh machine it
 * downloads and starts them, with its progress on the terminal. Postgres and Redis are expected.
 */
export default function setup(): void {
  const result = spawnSync(process.execPath, ['bin/agentfleet.js', 'stack', 'up'], { stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`agentfleet stack up failed (exit ${result.status ?? result.signal}); see its output above`)
}
