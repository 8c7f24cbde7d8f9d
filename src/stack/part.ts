import { AppError } from '../errors.ts'
import type { JavaInfo } from './java.ts'
import { rotateLog, spawnDetached, stopProcess, tailLog, type StopOutcome } from './jvm-process.ts'
import type { Endpoint } from './layout.ts'
import { withLock } from './lock.ts'
import { isOurProcess, readPid, removePid, writePid } from './pid-files.ts'
import { tcpOpen } from './endpoint-probes.ts'
import { pollUntil } from '../infra/retry.ts'
import { seconds, type StackTask } from './reporter.ts'

/** A port a part listens on, and the setting that moves it when something else holds it. */
export type PortUse = Endpoint & Readonly<{ setting: string }>

export type LaunchSpec = Readonly<{ command: string; args: readonly string[]; cwd: string; env: NodeJS.ProcessEnv }>

/** One JVM of the stack (Kafka, the registry): what `up`, `down` and `status` need to know about it. */
export type StackPart = Readonly<{
  name: string
  label: string
  /** e.g. `Kafka 4.3.1`: what runs, with its version. */
  product: string
  endpoint: string
  pidFile: string
  logFile: string
  /** The first port is the one that says "running". */
  ports: readonly PortUse[]
  /** Arguments only our JVMs carry; they guard `down` against a recycled pid. */
  markers: readonly string[]
  readyTimeoutMs: number
  /** Downloads (once) and writes config; may run short JVM tools. */
  prepare(java: JavaInfo, task: StackTask): Promise<void>
  launchSpec(java: JavaInfo): LaunchSpec
  isReady(): Promise<boolean>
}>

export type PartState =
  | { kind: 'running'; pid: number }
  | { kind: 'starting'; pid: number }
  | { kind: 'stopped'; stalePid: number | undefined }
  | { kind: 'port-taken'; port: PortUse }

/** Pure decision: ours and answering = running; ours but silent = starting; otherwise any open port is someone else's. */
export function classifyPart(input: {
  pid: number | undefined
  ours: boolean
  openPorts: readonly boolean[]
  ports: readonly PortUse[]
}): PartState {
  if (input.pid !== undefined && input.ours) {
    return input.openPorts[0] ? { kind: 'running', pid: input.pid } : { kind: 'starting', pid: input.pid }
  }
  const taken = input.ports.find((_, i) => input.openPorts[i])
  return taken ? { kind: 'port-taken', port: taken } : { kind: 'stopped', stalePid: input.pid }
}

export async function partState(part: StackPart): Promise<PartState> {
  const pid = await readPid(part.pidFile)
  const ours = pid !== undefined && (await isOurProcess(pid, part.markers))
  const openPorts = await Promise.all(part.ports.map((p) => tcpOpen(p)))
  return classifyPart({ pid, ours, openPorts, ports: part.ports })
}

export const portTakenMessage = (port: PortUse): string => `port ${port.port} is in use by another process; stop it or set ${port.setting}`

/** Waits for readiness; fails fast, with the log's last lines, if the JVM dies meanwhile. */
async function awaitReady(part: StackPart, pid: number): Promise<void> {
  const failIfExited = async () => {
    if (await isOurProcess(pid, part.markers)) return
    // Only our own entry: a concurrent `stack up` may already have started a replacement.
    if ((await readPid(part.pidFile)) === pid) await removePid(part.pidFile)
    const tail = (await tailLog(part.logFile)).join(' | ')
    throw new AppError('stack.start', `${part.label} exited during start-up; see ${part.logFile}${tail ? ` (last lines: ${tail})` : ''}`)
  }
  const ready = await pollUntil(
    async () => {
      if (await part.isReady()) return true
      await failIfExited()
      return undefined
    },
    { timeoutMs: part.readyTimeoutMs, minMs: 250, maxMs: 500 },
  )
  if (!ready) {
    throw new AppError(
      'stack.start',
      `${part.label} did not become ready within ${seconds(part.readyTimeoutMs)} (pid ${pid} still running); see ${part.logFile}, or run \`agentfleet stack down\` and retry`,
    )
  }
}

export type UpOutcome = Readonly<{ name: string; pid: number; started: boolean }>

/**
 * Idempotent: leaves a running part alone, joins one that is starting, starts one that is stopped.
 * Deciding and spawning happen under a lock; waiting for readiness does not, so a second caller joins.
 */
export async function bringUp(part: StackPart, java: () => Promise<JavaInfo>, task: StackTask): Promise<UpOutcome> {
  const lockFile = part.pidFile.replace(/\.pid$/, '.lock')
  const onWait = (holder: number): void => task.update(`waiting for another \`stack up\` (pid ${holder})`)
  const claim = await withLock(
    lockFile,
    async () => {
      const state = await partState(part)
      if (state.kind === 'port-taken') throw new AppError('stack.port', portTakenMessage(state.port))
      if (state.kind === 'running') return { pid: state.pid, started: false, ready: true }
      if (state.kind === 'starting') return { pid: state.pid, started: false, ready: false }
      if (state.stalePid !== undefined) await removePid(part.pidFile)
      const jdk = await java()
      await part.prepare(jdk, task)
      task.update('starting')
      await rotateLog(part.logFile)
      const pid = await spawnDetached({ ...part.launchSpec(jdk), logFile: part.logFile })
      await writePid(part.pidFile, pid)
      return { pid, started: true, ready: false }
    },
    { onWait },
  )
  if (claim.ready) {
    task.done(`${part.product} already running, pid ${claim.pid}`)
    return { name: part.name, pid: claim.pid, started: false }
  }
  task.update(claim.started ? `waiting until ready (pid ${claim.pid})` : `already starting; waiting (pid ${claim.pid})`)
  await awaitReady(part, claim.pid)
  task.done(`${part.product} ready, pid ${claim.pid}`)
  return { name: part.name, pid: claim.pid, started: claim.started }
}

export type DownOutcome = Readonly<{ name: string; result: StopOutcome | 'not-running' | 'stale-pid-file' }>

/** Stops only the process named in our pid file, and only if it still is ours. */
export async function bringDown(part: StackPart, graceMs?: number): Promise<DownOutcome> {
  const pid = await readPid(part.pidFile)
  if (pid === undefined) return { name: part.name, result: 'not-running' }
  if (!(await isOurProcess(pid, part.markers))) {
    await removePid(part.pidFile)
    return { name: part.name, result: 'stale-pid-file' }
  }
  const result = await stopProcess(pid, graceMs)
  if (result !== 'survived') await removePid(part.pidFile)
  return { name: part.name, result }
}
