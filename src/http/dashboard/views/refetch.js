import { ApiError, get } from '../api.js'

const pending = new Map()

/**
 * Reads an aggregate at least at the version of the event that announced it: `?minVersion=`
 * lets the API wait for its read model, which runs behind the stream. Bursts of events for one
 * aggregate are coalesced into one read of the newest version.
 */
export function refetch(path, version, apply) {
  const job = pending.get(path)
  if (job) {
    job.version = Math.max(job.version, version ?? 0)
    return
  }
  const next = { version: version ?? 0 }
  pending.set(path, next)
  const attempt = async (left) => {
    const wanted = next.version
    try {
      const row = await get(`${path}${wanted ? `?minVersion=${wanted}` : ''}`)
      if (next.version > wanted) return attempt(left)
      pending.delete(path)
      apply(row)
    } catch (error) {
      // Only a read model that is still behind is worth another try.
      if (error instanceof ApiError && error.status === 503 && left > 0) return setTimeout(() => attempt(left - 1), 500)
      pending.delete(path)
    }
  }
  queueMicrotask(() => attempt(3))
}
