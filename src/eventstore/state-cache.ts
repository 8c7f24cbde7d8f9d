/**
 * The states this process last wrote or read, newest last (a Map keeps insertion order): a
 * command on an aggregate this process just touched skips the state transfer from Redis.
 * Correctness never depends on it — the write slot's version check tells when it is stale.
 */
export function createStateCache<T>(limit: number) {
  const entries = new Map<string, T>()
  return {
    get: (key: string): T | undefined => entries.get(key),
    set(key: string, value: T): void {
      entries.delete(key)
      entries.set(key, value)
      if (entries.size > limit) entries.delete(entries.keys().next().value!)
    },
    delete: (key: string): void => {
      entries.delete(key)
    },
  }
}
