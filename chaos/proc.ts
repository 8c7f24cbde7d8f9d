import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

/**
 * What the suite learns about processes from /proc (Linux): who is alive, whose child a process
 * is, which processes carry the namespace in their environment, who listens on a port. Every
 * read tolerates a process that exits while it is being read.
 */

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'latin1')
  } catch {
    return undefined
  }
}

export const pids = (): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  const stat = read(`/proc/${pid}/stat`)
  if (stat === undefined) return false
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
}

export function parentOf(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`)
  if (stat === undefined) return undefined
  // pid (comm) state ppid …: comm may hold spaces and parentheses, so parse after the last ')'.
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  return Number.isInteger(ppid) ? ppid : undefined
}

export const commandLine = (pid: number): string => (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim()

export const childrenOf = (pid: number): number[] => pids().filter((p) => parentOf(p) === pid && isAlive(p))

/** Processes whose environment holds `entry` (e.g. `AGENTFLEET_TOPIC_PREFIX=chaos-1a2b`), zombies left out. */
export function pidsWithEnv(entry: string): number[] {
  const needle = `${entry}\0`
  return pids().filter((p) => {
    const environ = read(`/proc/${p}/environ`)
    return environ !== undefined && (environ.startsWith(needle) || environ.includes(`\0${needle}`)) && isAlive(p)
  })
}

/** Processes whose command line contains `text`. */
export const pidsWithCommandLine = (text: string): number[] =>
  pids().filter((p) => p !== process.pid && commandLine(p).includes(text) && isAlive(p))

/** The socket inodes listening on `port` (any address), from /proc/net/tcp and tcp6. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>()
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(table) ?? '').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      // local_address is ADDR:PORT in hex; st 0A is LISTEN; the inode is column 10.
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9])
    }
  }
  return inodes
}

/** The process listening on `port`, found through its socket's inode among every process' file descriptors. */
export function listeningPid(port: number): number | undefined {
  const inodes = listeningInodes(port)
  if (inodes.size === 0) return undefined
  for (const pid of pids()) {
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`)
        if (target.startsWith('socket:[') && inodes.has(target.slice(8, -1))) return pid
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return undefined
}
