/**
 * Records of one partition start in log order. A worker process runs several records of a
 * partition at once, so without a turn their StartTask calls race (a retried one falls behind the
 * next): tasks queued c1 c2 c3 would start c1 c3 c2. Each record takes a turn when it is handed to
 * a slot; its start waits until the previous record's start step has settled (started, skipped or
 * failed), which costs one StartTask round trip per record of a partition, not its run.
 */
export function createStartOrder() {
  const tails = new Map<string, Promise<void>>()
  return {
    /** The next turn of `partition`: `ready` once the previous record's start has settled; call `settled` when this one's has (repeats are ignored). */
    take(partition: string): { ready: Promise<void>; settled: () => void } {
      const ready = tails.get(partition) ?? Promise.resolve()
      let settle: () => void = () => undefined
      const mine = new Promise<void>((resolve) => {
        settle = resolve
      })
      tails.set(partition, mine)
      void mine.then(() => {
        if (tails.get(partition) === mine) tails.delete(partition)
      })
      return { ready, settled: () => settle() }
    },
    /** Partitions with a start still pending (for tests). */
    pending: (): number => tails.size,
  }
}
