/** One line of the final table: ok true (pass), false (fail) or undefined (information only). */
export type Check = Readonly<{ check: string; value: string; ok: boolean | undefined; details?: readonly string[] }>

export const pass = (check: string, value: string, details?: readonly string[]): Check => ({ check, value, ok: true, details })
export const info = (check: string, value: string, details?: readonly string[]): Check => ({ check, value, ok: undefined, details })
/** ok when `bad` is 0 */
export const none = (check: string, bad: number, details: readonly string[] = [], suffix = ''): Check => ({
  check,
  value: `${bad}${suffix}`,
  ok: bad === 0,
  details,
})

const mark = (ok: boolean | undefined) => (ok === undefined ? '  ' : ok ? 'ok' : 'FAIL')

/** The table, then the details of failing checks (at most `maxDetails` lines each). */
export function formatReport(checks: readonly Check[], maxDetails = 15): string {
  const width = Math.max(...checks.map((c) => c.check.length))
  const valueWidth = Math.min(60, Math.max(...checks.map((c) => c.value.length)))
  const lines = checks.map((c) => `  ${mark(c.ok).padEnd(4)} ${c.check.padEnd(width)}  ${c.value.padEnd(valueWidth)}`.trimEnd())
  const detailed = checks.filter((c) => c.details && c.details.length > 0 && c.ok !== true)
  for (const c of detailed) {
    lines.push('', `  ${c.check}:`)
    for (const d of c.details!.slice(0, maxDetails)) lines.push(`    ${d}`)
    if (c.details!.length > maxDetails) lines.push(`    … and ${c.details!.length - maxDetails} more`)
  }
  return lines.join('\n')
}

export const failed = (checks: readonly Check[]): Check[] => checks.filter((c) => c.ok === false)
