import { readFileSync } from 'node:fs'

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] }

export type Cost = Readonly<{ what: string; ms: number; share: number }>

/** Self time of each sampled node of a V8 .cpuprofile, in ms. */
function selfTimes(profile: Profile): { node: Node; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, { node: n, ms: 0 }]))
  profile.samples.forEach((id, i) => {
    const entry = byId.get(id)
    if (entry) entry.ms += (profile.timeDeltas[i] ?? 0) / 1000
  })
  return [...byId.values()]
}

const shortUrl = (url: string): string => {
  const modules = url.lastIndexOf('node_modules/')
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length)
  const src = url.search(/\/(src|bench|test)\//)
  return src >= 0 ? url.slice(src + 1) : url.replace(/^file:\/\//, '')
}

/** Where the time goes by package: our own modules by folder, dependencies by package name. */
const areaOf = (url: string): string | undefined => {
  if (!url || url.startsWith('node:')) return undefined
  const modules = url.lastIndexOf('node_modules/')
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  const src = /\/src\/([^/]+)/.exec(url)
  return src ? `src/${src[1]}` : shortUrl(url)
}

/**
 * The area a sample is charged to: its own frame's, or for native and Node-core frames (socket
 * writes, Buffer work) the nearest caller's that has one — so "writev" lands on the client that wrote.
 */
function chargedArea(node: Node, parentOf: ReadonlyMap<number, Node>): string {
  for (let n: Node | undefined = node; n; n = parentOf.get(n.id)) {
    const area = areaOf(n.callFrame.url)
    if (area) return area
  }
  const name = node.callFrame.functionName
  return name.startsWith('(') ? name : 'node core'
}

/** The top functions by self time and the share of each area (package or source folder), idle excluded. */
export function summarizeProfile(path: string, top = 12): { busyMs: number; functions: Cost[]; areas: Cost[] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile
  const times = selfTimes(profile).filter((t) => t.ms > 0 && t.node.callFrame.functionName !== '(idle)')
  const busyMs = times.reduce((s, t) => s + t.ms, 0)
  const parentOf = new Map<number, Node>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n)
  const group = (key: (n: Node) => string): Cost[] => {
    const sums = new Map<string, number>()
    for (const t of times) sums.set(key(t.node), (sums.get(key(t.node)) ?? 0) + t.ms)
    return [...sums]
      .map(([what, ms]) => ({ what, ms, share: ms / busyMs }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
  }
  const fn = (n: Node) =>
    `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`
  return { busyMs, functions: group(fn), areas: group((n) => chargedArea(n, parentOf)) }
}

// `node bench/cpu-profile.ts <dir>`: a summary of every .cpuprofile in a folder.
if (import.meta.main) {
  const { readdirSync } = await import('node:fs')
  const dir = process.argv[2] ?? 'profiles'
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const { busyMs, functions, areas } = summarizeProfile(`${dir}/${file}`)
    process.stdout.write(
      `\n## ${file}: ${(busyMs / 1000).toFixed(1)} s on CPU\nby area: ${areas
        .slice(0, 10)
        .map((a) => `${a.what} ${Math.round(a.share * 100)}%`)
        .join(', ')}\n`,
    )
    for (const f of functions) process.stdout.write(`  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.what}\n`)
  }
}
