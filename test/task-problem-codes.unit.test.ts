import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DomainError } from '../src/errors.ts'
import { statusOf } from '../src/http/problem-details.ts'

const deciderCodes = [
  ...new Set(
    [...readFileSync(new URL('../src/commands/task/task.decider.ts', import.meta.url), 'utf8').matchAll(/'(task\.[a-z-]+)'/g)].map(
      (m) => m[1]!,
    ),
  ),
].sort()

const expected: Readonly<Record<string, number>> = {
  'task.not-found': 404,
  'task.duplicate-dependency': 400,
  'task.invalid-progress': 400,
  'task.unknown-dependency': 400,
  'task.pool-required': 400,
}

describe('task error codes → HTTP statuses', () => {
  it("finds the decider's codes", () => {
    expect(deciderCodes.length).toBeGreaterThan(15)
  })

  it.each([...deciderCodes, 'task.unknown-dependency', 'task.pool-required'])('%s has its status', (code) => {
    expect(statusOf(new DomainError(code, 'x'))).toBe(expected[code] ?? 409)
  })
})
