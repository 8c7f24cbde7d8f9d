import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * The side effect every chaos task has: a POSIX shell script run by the pool's `command` handler
 * as `sh -c SCRIPT sh {payload}`. It appends to `runs.log` in the run's temp dir:
 *
 *   start <sid> <pid> <parent pid> <grandparent pid> <ms>
 *   end <sid> <pid> <parent pid at start> <parent pid now> <ms>     (parent changed: it outlived its worker)
 *   CONCURRENT <sid> <pid> <other pid> <ms>                         (another live run of the same sid holds the lock)
 *
 * and holds `locks/<sid>` with its pid while it runs (created with noclobber, so two runs that
 * start together cannot both miss each other). Each run sleeps 100–299 ms.
 */
export function sideEffectScript(dir: string): string {
  const d = dir.replaceAll("'", '')
  return [
    // the submission id from the payload JSON ({"sid":"…",…}), with shell expansions only
    `sid=\${1#*\\"sid\\":\\"}; sid=\${sid%%\\"*}`,
    `d='${d}'; log="$d/runs.log"; lock="$d/locks/$sid"`,
    'now() { date +%s%3N; }',
    // the parent pid of $1: the fields of /proc/PID/stat after the command name's closing ")" are: state ppid …
    `ppid_of() { ppid=0; if read -r st < "/proc/$1/stat"; then st=\${st##*) }; set -- $st; ppid=$2; fi; }`,
    'ppid_of $PPID; gp=$ppid',
    'if ! ( set -C; echo $$ > "$lock" ) 2>/dev/null; then',
    '  other=$(cat "$lock" 2>/dev/null)',
    '  if [ -n "$other" ] && kill -0 "$other" 2>/dev/null && grep -qs -- "$sid" /proc/$other/cmdline; then',
    '    echo "CONCURRENT $sid $$ $other $(now)" >> "$log"',
    '  fi',
    '  echo $$ > "$lock"',
    'fi',
    'echo "start $sid $$ $PPID $gp $(now)" >> "$log"',
    'sleep 0.$(( 100 + ($$ * 37) % 200 ))',
    'ppid_of $$; pp=$ppid',
    'echo "end $sid $$ $PPID $pp $(now)" >> "$log"',
    '[ "$(cat "$lock" 2>/dev/null)" = "$$" ] && rm -f "$lock"',
    'exit 0',
  ].join('\n')
}

/** The pool's handlerConfig for the `command` handler running the script. */
export const sideEffectHandlerConfig = (dir: string) => ({
  command: 'sh',
  args: ['-c', sideEffectScript(dir), 'sh', '{payload}'],
  timeoutMs: 20_000,
})

export function prepareSideEffectDir(dir: string): void {
  mkdirSync(path.join(dir, 'locks'), { recursive: true })
}

export type Run = {
  sid: string
  pid: number
  parent: number
  grandparent: number
  startedAt: number
  endedAt?: number
  /** the parent pid when the run ended, if it differs from the one at start */
  reparentedTo?: number
}

export type SideEffects = Readonly<{
  runs: readonly Run[]
  concurrent: readonly Readonly<{ sid: string; pid: number; other: number; at: number }>[]
  /** lines that parse as nothing above (a torn write would show here) */
  garbled: number
}>

/** Reads runs.log: every run (start, and its end when it had one) and every CONCURRENT line. */
export function readSideEffects(dir: string): SideEffects {
  let text = ''
  try {
    text = readFileSync(path.join(dir, 'runs.log'), 'utf8')
  } catch {
    /* no run yet */
  }
  const byPid = new Map<string, Run>()
  const runs: Run[] = []
  const concurrent: { sid: string; pid: number; other: number; at: number }[] = []
  let garbled = 0
  for (const line of text.split('\n')) {
    if (line === '') continue
    const [kind, sid = '', a, b, c, at] = line.split(' ')
    const n = (s: string | undefined) => Number(s)
    if (kind === 'start' && at !== undefined) {
      const run: Run = { sid, pid: n(a), parent: n(b), grandparent: n(c), startedAt: n(at) }
      byPid.set(`${sid}|${run.pid}`, run)
      runs.push(run)
    } else if (kind === 'end' && at !== undefined) {
      const run = byPid.get(`${sid}|${n(a)}`)
      if (!run) garbled++
      else {
        run.endedAt = n(at)
        if (n(c) !== n(b)) run.reparentedTo = n(c)
      }
    } else if (kind === 'CONCURRENT' && b !== undefined && c !== undefined) {
      concurrent.push({ sid, pid: n(a), other: n(b), at: n(c) })
    } else garbled++
  }
  return { runs, concurrent, garbled }
}
