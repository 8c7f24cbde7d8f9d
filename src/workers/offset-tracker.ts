/**
 * Offsets of one partition whose tasks run concurrently and finish out of order. The offset to
 * commit is the lowest one still running (everything below it is done), or the one after the
 * highest seen when nothing runs: a crash redelivers what was in flight and never skips a record.
 */
export function createOffsetTracker() {
  const running = new Set<bigint>()
  let highest = -1n
  return {
    /** false for an offset seen before (a redelivery after a rebalance): it is running or done */
    track(offset: bigint): boolean {
      if (offset <= highest) return false
      highest = offset
      running.add(offset)
      return true
    },
    done(offset: bigint): void {
      running.delete(offset)
    },
    /** The next offset to consume after a restart, or undefined when nothing was seen. */
    committable(): bigint | undefined {
      if (highest < 0n) return undefined
      let lowest = highest + 1n
      for (const o of running) if (o < lowest) lowest = o
      return lowest
    },
    get inFlight(): number {
      return running.size
    },
  }
}

export type OffsetTracker = ReturnType<typeof createOffsetTracker>
