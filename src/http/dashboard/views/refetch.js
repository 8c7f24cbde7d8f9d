import { get } from '../api.js'

const pending = new Map()

/**
 * Reads an aggregate until the read model has caught up with the event that announced it
 * (the projection runs behind the stream), coalescing bursts of events per aggregate.
 */
export function refetch(path, version, apply) {
  const wanted = Math.max(version ?? 0, pending.get(path)?.version ?? 0)
  if (pending.has(path)) { pending.get(path).version = wanted; return }
  const job = { version: wanted }
  pending.set(path, job)
  const attempt = async (left) => {
    try {
      const row = await get(path)
      if ((row.version ?? 0) < job.version && left > 0) return setTimeout(() => attempt(left - 1), 250)
      pending.delete(path)
      apply(row)
    } catch {
      pending.delete(path)
    }
  }
  setTimeout(() => attempt(20), 50)
}
