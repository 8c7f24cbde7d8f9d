import { describe, expect, it } from 'vitest'
import { pollUntil, retry } from '../src/infra/retry.ts'

const failing = (times: number, error: () => unknown = () => new Error('transient')) => {
  let calls = 0
  const op = async () => {
    calls++
    if (calls <= times) throw error()
    return calls
  }
  return { op, calls: () => calls }
}

describe('retry', () => {
  it('tries again until the operation succeeds, telling onRetry of each failure', async () => {
    const { op } = failing(3)
    const told: number[] = []
    expect(await retry(op, { minMs: 1, maxMs: 2, onRetry: (_e, attempt) => told.push(attempt) })).toBe(4)
    expect(told).toEqual([1, 2, 3])
  })

  it('stops at the attempt limit and rethrows the last failure', async () => {
    const { op, calls } = failing(10)
    await expect(retry(op, { attempts: 3, minMs: 1 })).rejects.toThrow('transient')
    expect(calls()).toBe(3)
  })

  it('does not retry a failure that is not transient', async () => {
    const { op, calls } = failing(10, () => new RangeError('fatal'))
    await expect(retry(op, { minMs: 1, retryIf: (e) => !(e instanceof RangeError) })).rejects.toBeInstanceOf(RangeError)
    expect(calls()).toBe(1)
  })

  it('retries a TypeError like any failure and rethrows it unchanged', async () => {
    const { op, calls } = failing(10, () => new TypeError('odd client state'))
    await expect(retry(op, { attempts: 2, minMs: 1 })).rejects.toBeInstanceOf(TypeError)
    expect(calls()).toBe(2)
  })

  it('gives up once its time is spent', async () => {
    const started = performance.now()
    await expect(retry(failing(1e6).op, { minMs: 5, maxMs: 10, withinMs: 100 })).rejects.toThrow('transient')
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})

describe('pollUntil', () => {
  it('returns the first answer', async () => {
    let asked = 0
    expect(await pollUntil(async () => (++asked >= 3 ? 'ready' : undefined), { timeoutMs: 1_000, minMs: 1 })).toBe('ready')
    expect(asked).toBe(3)
  })

  it('answers undefined when the time runs out', async () => {
    expect(await pollUntil(async () => undefined, { timeoutMs: 50, minMs: 5 })).toBeUndefined()
  })

  it('ends with the error of a probe that throws', async () => {
    await expect(pollUntil(() => Promise.reject(new Error('probe broke')), { timeoutMs: 1_000 })).rejects.toThrow('probe broke')
  })
})
