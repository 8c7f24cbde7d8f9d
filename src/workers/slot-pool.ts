/**
 * `size` concurrent slots shared by the priority lanes of one worker process: when a slot frees,
 * the waiting job of the highest lane (lowest index) runs next, FIFO within a lane.
 */
export function createSlotPool(size: number, laneCount: number, onChange: () => void = () => undefined) {
  const waiting: (() => void)[][] = Array.from({ length: laneCount }, () => [])
  let running = 0
  let idleWaiters: (() => void)[] = []

  const next = () => {
    while (running < size) {
      const queue = waiting.find((q) => q.length > 0)
      if (!queue) break
      running++
      queue.shift()!()
    }
    if (running === 0 && waiting.every((q) => q.length === 0)) {
      for (const resolve of idleWaiters) resolve()
      idleWaiters = []
    }
    onChange()
  }

  return {
    /** Runs `job` in a slot of `lane`; resolves when the job has finished. */
    async run(lane: number, job: () => Promise<void>): Promise<void> {
      await new Promise<void>((resolve) => {
        waiting[lane]!.push(resolve)
        next()
      })
      try {
        await job()
      } finally {
        running--
        next()
      }
    },
    waitingIn: (lane: number): number => waiting[lane]!.length,
    get running(): number {
      return running
    },
    get queued(): number {
      return waiting.reduce((n, q) => n + q.length, 0)
    },
    /** Resolves once nothing runs or waits. */
    idle(): Promise<void> {
      if (running === 0 && waiting.every((q) => q.length === 0)) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
  }
}

export type SlotPool = ReturnType<typeof createSlotPool>
