import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { faults } from '../chaos/faults/catalog.ts'

/** Runs `npm run chaos -- --short` as a process; resolves with its exit code and everything it printed. */
function runShortChaos(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['chaos/run.ts', '--short'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => resolve({ code, output }))
  })
}

describe('chaos (short run: each role killed once under load, one Postgres fault)', () => {
  it('loses, duplicates and parks nothing, never runs a task twice at once, and every role recovers', { timeout: 420_000 }, async () => {
    const { code, output } = await runShortChaos()
    // The whole report on failure: it names each check that did not hold.
    if (code !== 0) console.error(output)
    expect(code).toBe(0)
    expect(output).toContain('PASSED: every check holds')
    // Every fault of the short run was injected and recovered from: a run that skipped one would not prove it.
    for (const fault of faults.filter((f) => !f.fullOnly)) {
      expect(output).toMatch(new RegExp(`ok\\s+recovery: ${fault.name}\\s+\\d`))
    }
  })
})
