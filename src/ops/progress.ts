import cliProgress from 'cli-progress'

export type Progress = Readonly<{
  /** `done` events so far; `total` may grow while a log keeps receiving events */
  update: (done: number, total?: number) => void
  stop: () => void
}>

const rateOf = (done: number, startedAt: number): number => done / Math.max((Date.now() - startedAt) / 1000, 0.001)

const eta = (remaining: number, rate: number): string => {
  if (rate <= 0) return '?'
  const s = Math.ceil(remaining / rate)
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`
}

/**
 * A progress bar with events/s and ETA on a terminal; periodic plain lines otherwise (logs, CI,
 * pipes), so a long rebuild still shows it is alive.
 */
export function createProgress(
  label: string,
  total: number,
  out: NodeJS.WriteStream = process.stdout,
  intervalMs = 2_000,
  unit = 'events',
): Progress {
  const startedAt = Date.now()
  let current = { done: 0, total }
  if (out.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {speed} ${unit}/s | ETA {eta_formatted}`,
        stream: out,
        hideCursor: true,
        etaBuffer: 100,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    )
    bar.start(Math.max(total, 1), 0, { speed: 0 })
    return {
      update(done, t) {
        current = { done, total: Math.max(t ?? current.total, done) }
        bar.setTotal(Math.max(current.total, 1))
        bar.update(done, { speed: Math.round(rateOf(done, startedAt)) })
      },
      stop: () => bar.stop(),
    }
  }
  const line = () => {
    const rate = rateOf(current.done, startedAt)
    const pct = current.total > 0 ? Math.floor((100 * current.done) / current.total) : 100
    out.write(
      `${label}: ${current.done}/${current.total} ${unit} (${pct}%), ${Math.round(rate)} ${unit}/s, ETA ${eta(current.total - current.done, rate)}\n`,
    )
  }
  const timer = setInterval(line, intervalMs)
  timer.unref()
  return {
    update(done, t) {
      current = { done, total: Math.max(t ?? current.total, done) }
    },
    stop: () => clearInterval(timer),
  }
}
