import { spawn } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'

/** The wrapper shell's `$0`: a command it cannot exec is reported as `agentfleet-command: 1: exec: …: not found`. */
const wrapperName = 'agentfleet-command'

/**
 * The wrapper leads the command's own process group (spawned detached) and execs the command, which
 * keeps its pid, exit status and signal. Before that it starts a watchdog in the group, double-forked
 * so the command has no child it did not start. The watchdog reads fd 3, a socket whose other end only
 * the worker holds: a line releases it after a run that ended by itself; EOF means the worker is gone —
 * the kernel closes its end however it died, SIGKILL included — and it kills the whole group, the
 * command and whatever the command started. PR_SET_PDEATHSIG (`setpriv --pdeathsig`) was not enough: it
 * reaches the direct child only, never a shell's children, and setpriv is not installed everywhere.
 */
const wrapper = '( { read -r line <&3 || kill -KILL 0; } </dev/null >/dev/null 2>&1 & ); exec "$@" 3<&-'

export type GroupCommand = Readonly<{
  command: string
  args: readonly string[]
  cwd: string | undefined
  /** written to the command's stdin */
  input: string
  /** kills the group: `failure` 'ABORT_ERR' */
  signal: AbortSignal
  /** kills the group after this long (0: never); the run ends by SIGKILL */
  timeoutMs: number
  /** bytes kept of stdout and of stderr; more kills the group: `failure` 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' */
  maxOutput: number
}>

export type GroupExit = Readonly<{
  stdout: string
  stderr: string
  code: number | null
  signal: NodeJS.Signals | null
  /** why the run did not end by itself: 'ENOENT' (no such command), 'ABORT_ERR', a spawn error code, … */
  failure: string | undefined
}>

const notStarted = (failure: string | undefined): GroupExit => ({
  stdout: '',
  stderr: '',
  code: null,
  signal: null,
  failure: failure ?? 'error',
})

/**
 * Runs `command` in a process group of its own that dies as a whole: on abort, timeout or too much
 * output, and, through the watchdog, when the worker process dies, even by SIGKILL. What the command
 * leaves behind after it exited by itself (a daemon) is left alone, as a plain child's would be.
 * POSIX only (`/bin/sh`, process groups).
 */
export function runInProcessGroup(run: GroupCommand): { pid: number | undefined; done: Promise<GroupExit> } {
  if (run.signal.aborted) return { pid: undefined, done: Promise.resolve(notStarted('ABORT_ERR')) }
  let child: ReturnType<typeof spawn>
  try {
    child = spawn('/bin/sh', ['-c', wrapper, wrapperName, run.command, ...run.args], {
      cwd: run.cwd,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    })
  } catch (error) {
    return { pid: undefined, done: Promise.resolve(notStarted((error as NodeJS.ErrnoException).code)) }
  }
  // A spawn that failed (no such cwd, EAGAIN, EMFILE): nothing runs, 'error' follows.
  if (child.pid === undefined)
    return {
      pid: undefined,
      done: new Promise((resolve) => child.once('error', (e: NodeJS.ErrnoException) => resolve(notStarted(e.code)))),
    }
  const stdout = child.stdout!
  const stderr = child.stderr!
  const watchdog = child.stdio[3] as Readable & Writable
  let failure: string | undefined
  let killed = false

  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // ESRCH: the group is gone already.
    }
  }
  const stop = (reason: string | undefined) => {
    failure ??= reason
    killed = true
    stdout.destroy()
    stderr.destroy()
    killGroup()
  }
  const collect = (stream: Readable) => {
    const chunks: Buffer[] = []
    let size = 0
    stream.on('data', (chunk: Buffer) => {
      if (size >= run.maxOutput) return
      chunks.push(chunk.subarray(0, run.maxOutput - size))
      size += chunk.length
      if (size > run.maxOutput) stop('ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
    })
    stream.on('error', () => undefined)
    return () => Buffer.concat(chunks).toString('utf8')
  }
  const stdoutText = collect(stdout)
  const stderrText = collect(stderr)
  const onAbort = () => stop('ABORT_ERR')
  run.signal.addEventListener('abort', onAbort, { once: true })
  const timer = run.timeoutMs > 0 ? setTimeout(() => stop(undefined), run.timeoutMs) : undefined
  // Written after the command may have exited without reading it: EPIPE is no failure.
  child.stdin!.on('error', () => undefined)
  child.stdin!.end(run.input)
  watchdog.on('error', () => undefined)
  watchdog.resume()
  // Only spawn and kill failures come here: the group is killed with process.kill.
  child.on('error', () => undefined)

  const done = new Promise<GroupExit>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer)
      run.signal.removeEventListener('abort', onAbort)
      // A line releases the watchdog; a killed run's group is gone already and a bare end changes nothing.
      watchdog.end(killed ? undefined : '\n')
      const errors = stderrText()
      // The wrapper could not exec the command: as if spawning it had failed.
      const notFound = code === 127 && !killed && errors.startsWith(`${wrapperName}: `) && /not found/.test(errors)
      resolve({
        stdout: stdoutText(),
        stderr: errors,
        code,
        signal,
        failure: failure ?? (notFound ? 'ENOENT' : undefined),
      })
    }
    // Like execFile: the run ends once the process exited and its output streams closed.
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
    let open = 2
    const maybeFinish = () => {
      if (exit && open === 0) finish(exit.code, exit.signal)
    }
    child.once('exit', (code, signal) => {
      exit = { code, signal }
      maybeFinish()
    })
    for (const stream of [stdout, stderr])
      stream.once('close', () => {
        open--
        maybeFinish()
      })
  })
  return { pid: child.pid, done }
}
