import { waitFor } from './wait.ts'

export type LagSummary = Readonly<{
  projections: readonly { name: string; lag: number }[]
  groups: readonly { name: string; lag: number }[]
  error?: string
}>

type LagReport = { projections: { projection: string; lag: number }[]; groups: { group: string; lag: number }[] }

/** GET /api/v1/system/lag: each projection's checkpoints and each consumer group's commits against the log end. */
export async function readLag(url: string): Promise<LagSummary> {
  const response = await fetch(`${url}/api/v1/system/lag`, { signal: AbortSignal.timeout(10_000) })
  if (!response.ok) throw new Error(`GET /api/v1/system/lag: ${response.status}`)
  const report = (await response.json()) as LagReport
  return {
    projections: report.projections.map((p) => ({ name: p.projection, lag: p.lag })),
    groups: report.groups.map((g) => ({ name: g.group, lag: g.lag })),
  }
}

const total = (l: LagSummary) => [...l.projections, ...l.groups].reduce((s, x) => s + x.lag, 0)

/** Waits (at most `timeoutMs`) for every lag to reach 0; the last reading either way. */
export async function settledLag(url: string, timeoutMs: number): Promise<LagSummary> {
  let last: LagSummary = { projections: [], groups: [], error: 'no answer' }
  await waitFor(
    async () => {
      last = await readLag(url).catch((error: unknown) => ({ projections: [], groups: [], error: (error as Error).message }))
      return last.error === undefined && total(last) === 0 ? true : undefined
    },
    timeoutMs,
    500,
  )
  return last
}
