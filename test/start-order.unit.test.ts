import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { createSlotPool } from '../src/workers/slot-pool.ts'
import { createStartOrder } from '../src/workers/start-order.ts'

describe('start order within a partition', () => {
  it('starts the records of a partition in log order although their start steps take different times', async () => {
    const slots = createSlotPool(4, 1)
    const order = createStartOrder()
    const started: string[] = []
    // Record i's start step takes longer for early records: without turns c4 would start first.
    const runs = Array.from({ length: 12 }, (_, i) => {
      const partition = `p${i % 2}`
      const turn = order.take(partition)
      return slots.run(0, async () => {
        await turn.ready
        await sleep((12 - i) * 2)
        started.push(`${partition}:${i}`)
        turn.settled()
        await sleep(5)
      })
    })
    await Promise.all(runs)
    for (const p of ['p0', 'p1']) {
      const mine = started.filter((s) => s.startsWith(`${p}:`)).map((s) => Number(s.split(':')[1]))
      expect(mine).toEqual([...mine].sort((a, b) => a - b))
    }
    expect(order.pending()).toBe(0)
  })

  it('lets the next record go once the previous one settled, also when that one never started (skipped or failed)', async () => {
    const order = createStartOrder()
    const first = order.take('p')
    const second = order.take('p')
    let secondReady = false
    void second.ready.then(() => {
      secondReady = true
    })
    await sleep(5)
    expect(secondReady).toBe(false)
    first.settled()
    first.settled()
    await sleep(0)
    expect(secondReady).toBe(true)
    second.settled()
    await sleep(0)
    expect(order.pending()).toBe(0)
  })
})
