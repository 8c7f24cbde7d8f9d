import { readFileSync, readdirSync } from 'node:fs'

export type ProcessPeak = Readonly<{ pid: number; name: string; peakMb: number; cpuS: number }>

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Parent pid of every live process (Linux /proc). */
function parents(): Map<number, number> {
  const out = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = read(`/proc/${entry}/stat`)
    // The command name in parentheses may hold spaces; the fields after it are fixed.
    const after = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (after) out.set(Number(entry), Number(after[1]))
  }
  return out
}

/** A short role name from the command line: `agentfleet projector`, `workers --child …` → worker. */
function nameOf(pid: number): string {
  const argv = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean)
  const cli = argv.findIndex((a) => a.endsWith('agentfleet.js'))
  if (cli >= 0) {
    const args = argv.slice(cli + 1)
    if (args[0] === 'workers' && args.includes('--child')) return 'worker'
    return (
      args
        .filter((a) => !a.startsWith('{'))
        .slice(0, 2)
        .join(' ') || 'agentfleet'
    )
  }
  return (
    argv
      .slice(1)
      .map((a) => a.split('/').pop())
      .join(' ')
      .slice(0, 40) || String(pid)
  )
}

/**
 * Peak resident set (VmHWM) of a process and all its descendants, read while they still run:
 * call it just before stopping them.
 */
export function peakRss(rootPid: number): ProcessPeak[] {
  const ppid = parents()
  const tree = new Set([rootPid])
  for (let grew = true; grew; ) {
    grew = false
    for (const [pid, parent] of ppid)
      if (tree.has(parent) && !tree.has(pid)) {
        tree.add(pid)
        grew = true
      }
  }
  return [...tree].flatMap((pid) => {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '')
    // utime and stime (fields 14 and 15 of /proc/<pid>/stat) in clock ticks of 1/100 s.
    const stat = read(`/proc/${pid}/stat`)
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ') ?? []
    const cpuS = (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100
    return hwm ? [{ pid, name: nameOf(pid), peakMb: Math.round(Number(hwm[1]) / 1024), cpuS }] : []
  })
}

/** "projector 12.1 s, worker 5.0/4.8 s": CPU time (user + system) each process used so far. */
export function describeCpu(peaks: readonly ProcessPeak[]): string {
  const byName = new Map<string, number[]>()
  for (const p of peaks) byName.set(p.name, [...(byName.get(p.name) ?? []), p.cpuS])
  return [...byName]
    .map(
      ([name, s]) =>
        `${name} ${s
          .sort((a, b) => b - a)
          .map((x) => x.toFixed(1))
          .join('/')} s`,
    )
    .join(', ')
}

/** "api 92 MB, projector 130 MB, worker 88/90 MB": one figure per role, several for repeated roles. */
export function describePeaks(peaks: readonly ProcessPeak[]): string {
  const byName = new Map<string, number[]>()
  for (const p of peaks) byName.set(p.name, [...(byName.get(p.name) ?? []), p.peakMb])
  return [...byName].map(([name, mbs]) => `${name} ${mbs.sort((a, b) => b - a).join('/')} MB`).join(', ')
}
