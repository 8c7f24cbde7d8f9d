import { portTakenMessage, type DownOutcome } from './part.ts'
import type { PartStatus, StackStatus } from './stack.ts'

/** Human lines for `stack status` and `stack down`; kept apart from the CLI so they are testable. */
export function partLine(p: PartStatus): string {
  const s = p.state
  const name = p.name.padEnd(9)
  switch (s.kind) {
    case 'running':
      return `${name} running    ${p.product} on ${p.endpoint}, pid ${s.pid}`
    case 'starting':
      return `${name} starting   ${p.product}, pid ${s.pid}, not answering yet on ${p.endpoint}; see ${p.logFile}`
    case 'stopped':
      return `${name} stopped    run \`agentfleet stack up\``
    case 'port-taken':
      return `${name} blocked    ${portTakenMessage(s.port)}`
  }
}

export function statusLines(status: StackStatus): string[] {
  return [
    ...status.parts.map(partLine),
    ...status.services.map((s) => `${s.name.padEnd(9)} ${s.ok ? `reachable  ${s.endpoint}` : `missing    ${s.problem}`}`),
  ]
}

const DOWN_TEXT: Record<DownOutcome['result'], string> = {
  stopped: 'stopped',
  killed: 'killed after it ignored SIGTERM',
  survived: 'still running after SIGKILL; check its pid file',
  'not-running': 'was not running',
  'stale-pid-file': 'was not running (removed a stale pid file)',
}

export function downLines(outcomes: readonly DownOutcome[]): string[] {
  if (outcomes.every((o) => o.result === 'not-running' || o.result === 'stale-pid-file')) {
    return ['stack is not running; nothing to stop']
  }
  return outcomes.map((o) => `${o.name.padEnd(9)} ${DOWN_TEXT[o.result]}`)
}
