import cliProgress from 'cli-progress'
import type { Logger } from '../infra/logger.ts'

/** One part's progress line: status changes while it downloads, starts and waits. */
export type StackTask = Readonly<{
  update(status: string): void
  done(status: string): void
  fail(status: string): void
}>

/** How `stackUp` tells the world what it is doing: a terminal, CI's plain log, or pino. */
export type StackReporter = Readonly<{
  task(part: string, status: string): StackTask
  note(message: string): void
  close(): void
}>

export const isReporter = (x: StackReporter | Logger): x is StackReporter => typeof (x as StackReporter).task === 'function'

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`

type Line = { part: string; status: string; started: number; ended: number | undefined; mark: string }

export const renderLine = (line: Line, now: number): string =>
  `${line.mark} ${line.part.padEnd(9)} ${line.status.padEnd(44)} ${seconds((line.ended ?? now) - line.started)}`

/** Live lines with ticking seconds via cli-progress (bars without a bar). */
function ttyReporter(stream: NodeJS.WriteStream): StackReporter {
  const multi = new cliProgress.MultiBar({
    stream,
    hideCursor: true,
    clearOnComplete: false,
    autopadding: false,
    fps: 4,
    format: (_options, _params, payload: { line: Line }) => renderLine(payload.line, Date.now()),
  })
  let active = false
  let open = 0
  const stop = (): void => {
    if (!active) return
    multi.update() // flushes notes logged since the last frame
    multi.stop()
    active = false
  }
  return {
    task(part, status) {
      const line: Line = { part, status, started: Date.now(), ended: undefined, mark: '…' }
      active = true
      open += 1
      const bar = multi.create(1, 0, { line })
      const set = (patch: Partial<Line>): void => {
        if (line.ended !== undefined) return
        Object.assign(line, patch)
        bar.update(0, { line })
      }
      // Stops redrawing (and restores the cursor) once every line has ended, so a caller that
      // goes on writing to the terminal (`dev`) needs no close().
      const end = (patch: Partial<Line>): void => {
        if (line.ended !== undefined) return
        set({ ...patch, ended: Date.now() })
        open -= 1
        if (open === 0) stop()
      }
      return {
        update: (s) => set({ status: s }),
        done: (s) => end({ status: s, mark: '✓' }),
        fail: (s) => end({ status: s, mark: '✗' }),
      }
    },
    // Before the first line exists there is nothing to draw around; afterwards cli-progress prints above the lines.
    note: (message) => (active ? multi.log(`${message}\n`) : stream.write(`${message}\n`)),
    close: stop,
  }
}

/** No TTY (CI): a line per status change, plus a heartbeat so long waits do not look hung. */
function plainReporter(write: (line: string) => void, heartbeatMs = 10_000): StackReporter {
  const timers = new Set<NodeJS.Timeout>()
  return {
    task(part, status) {
      const started = Date.now()
      let current = status
      const say = (text: string): void => write(`${part}: ${text} (${seconds(Date.now() - started)})`)
      write(`${part}: ${status}`)
      const timer = setInterval(() => say(current), heartbeatMs).unref()
      timers.add(timer)
      let ended = false
      const end = (text: string): void => {
        if (ended) return
        ended = true
        clearInterval(timer)
        timers.delete(timer)
        say(text)
      }
      return {
        update: (s) => {
          if (s !== current) say(s)
          current = s
        },
        done: end,
        fail: end,
      }
    },
    note: write,
    close: () => {
      for (const t of timers) clearInterval(t)
    },
  }
}

export function createConsoleReporter(stream: NodeJS.WriteStream = process.stdout): StackReporter {
  return stream.isTTY ? ttyReporter(stream) : plainReporter((line) => stream.write(`${line}\n`))
}

/** For callers that run the stack from a long-lived process (`dev`): structured log lines. */
export function loggerReporter(logger: Logger): StackReporter {
  return {
    task(part, status) {
      const started = Date.now()
      logger.info({ part }, status)
      const ms = (): number => Date.now() - started
      return {
        update: (s) => logger.info({ part, elapsedMs: ms() }, s),
        done: (s) => logger.info({ part, elapsedMs: ms() }, s),
        fail: (s) => logger.error({ part, elapsedMs: ms() }, s),
      }
    },
    note: (message) => logger.info(message),
    close: () => undefined,
  }
}
