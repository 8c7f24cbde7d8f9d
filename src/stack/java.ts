import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { AppError } from '../errors.ts'

const run = promisify(execFile)

/** The registry is built for class file 65 (Java 21); Kafka 4.3 runs on 17–25, so one JDK serves both. */
export const MIN_JAVA = 21

export type JavaInfo = Readonly<{ home: string | undefined; bin: string; major: number; version: string }>

/** Major version from `java -version` output: `"25.0.1"` → 25, legacy `"1.8.0_392"` → 8. */
export function parseJavaVersion(output: string): { major: number; version: string } | undefined {
  const match = /version "([^"]+)"/.exec(output)
  if (!match) return undefined
  const version = match[1] as string
  const parts = version.split(/[.+_-]/)
  const major = parts[0] === '1' ? Number(parts[1]) : Number(parts[0])
  return Number.isInteger(major) && major > 0 ? { major, version } : undefined
}

/** Picks the newest candidate at or above the minimum; ties keep the first (explicit ones come first). */
export function pickJava(candidates: readonly JavaInfo[], min = MIN_JAVA): JavaInfo | undefined {
  let best: JavaInfo | undefined
  for (const c of candidates) {
    if (c.major >= min && (!best || c.major > best.major)) best = c
  }
  return best
}

export async function probeJava(bin: string, home: string | undefined): Promise<JavaInfo | undefined> {
  try {
    // `java -version` writes to stderr.
    const { stdout, stderr } = await run(bin, ['-version'], { timeout: 10_000 })
    const parsed = parseJavaVersion(`${stderr}\n${stdout}`)
    return parsed ? { home, bin, ...parsed } : undefined
  } catch {
    return undefined
  }
}

const JDK_ROOTS = ['/usr/lib/jvm', '/Library/Java/JavaVirtualMachines']

async function installedJdkHomes(): Promise<string[]> {
  const homes: string[] = []
  for (const root of JDK_ROOTS) {
    const entries = await readdir(root).catch(() => [] as string[])
    for (const entry of entries) {
      homes.push(root.startsWith('/Library') ? path.join(root, entry, 'Contents', 'Home') : path.join(root, entry))
    }
  }
  return homes
}

const neededMessage = `the local stack needs Java ${MIN_JAVA}+ (the Apicurio registry is built for Java 21); install a JDK (e.g. Temurin 21 or 25) and set AGENTFLEET_JAVA_HOME to its directory`

/** `javaHome` from config wins; otherwise the newest JDK ≥ 21 on this machine, including `java` on PATH. */
export async function findJava(javaHome: string | undefined): Promise<JavaInfo> {
  if (javaHome) {
    const info = await probeJava(path.join(javaHome, 'bin', 'java'), javaHome)
    if (!info) throw new AppError('stack.java', `AGENTFLEET_JAVA_HOME=${javaHome} has no working bin/java; ${neededMessage}`)
    if (info.major < MIN_JAVA) throw new AppError('stack.java', `AGENTFLEET_JAVA_HOME=${javaHome} is Java ${info.major}; ${neededMessage}`)
    return info
  }
  const homes = await installedJdkHomes()
  const probes = await Promise.all([...homes.map((home) => probeJava(path.join(home, 'bin', 'java'), home)), probeJava('java', undefined)])
  const found = probes.filter((p): p is JavaInfo => p !== undefined)
  const best = pickJava(found)
  if (!best) {
    const seen = found.length ? `found only Java ${[...new Set(found.map((f) => f.major))].join(', ')}` : 'found no Java'
    throw new AppError('stack.java', `${seen}; ${neededMessage}`)
  }
  return best
}
