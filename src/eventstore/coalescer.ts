import { setImmediate as nextMacrotask } from 'node:timers/promises'

/**
 * Group commit for round trips: requests made while a flush is being prepared or in flight go out
 * together in the next one (one multi-key script, one produce). Requests of the same tick always
 * share a flush; at most `inFlight` flushes run at once.
 */
export function createCoalescer<In, Out>(
  flush: (items: readonly In[]) => Promise<readonly Out[]>,
  options: { inFlight?: number; maxItems?: number } = {},
) {
  const limit = options.inFlight ?? 2
  const maxItems = options.maxItems ?? 1_000
  let queue: { item: In; resolve: (o: Out) => void; reject: (e: unknown) => void }[] = []
  let running = 0
  let scheduled = false

  const run = async (): Promise<void> => {
    scheduled = false
    while (running < limit && queue.length > 0) {
      const taken = queue.slice(0, maxItems)
      queue = queue.slice(taken.length)
      running++
      flush(taken.map((t) => t.item))
        .then(
          (outs) => {
            for (const [i, t] of taken.entries()) t.resolve(outs[i] as Out)
          },
          (error: unknown) => {
            for (const t of taken) t.reject(error)
          },
        )
        .finally(() => {
          running--
          if (queue.length > 0) schedule()
        })
    }
  }
  const schedule = () => {
    if (scheduled) return
    scheduled = true
    void nextMacrotask().then(run)
  }

  return (item: In): Promise<Out> =>
    new Promise<Out>((resolve, reject) => {
      queue.push({ item, resolve, reject })
      schedule()
    })
}
