import { createHash, randomFillSync } from 'node:crypto'
import { monotonicFactory } from 'ulid'

/**
 * Random numbers from a pool refilled 64 KiB at a time: the `ulid` package asks the system for one
 * byte per character (16 calls per id), which showed up as 7% of the API's CPU under load.
 */
function pooledRandom(poolBytes = 65_536): () => number {
  const pool = new Uint8Array(poolBytes)
  let at = poolBytes
  return () => {
    if (at >= poolBytes) {
      randomFillSync(pool)
      at = 0
    }
    return pool[at++]! / 256
  }
}

/**
 * A ULID: 48-bit time, 80 bits of randomness, lexicographically sortable. Monotonic within a
 * process (ids of the same millisecond increase), so ids one process issues sort in issue order.
 */
export const newId: () => string = monotonicFactory(pooledRandom())

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/**
 * A ULID-shaped id (26 characters of Crockford base32, 128 bits) derived from `parts`: the same
 * parts always give the same id. A request's Idempotency-Key names its ids this way, so a repeat
 * reaches the same aggregate with the same command even when the idempotency cache is gone.
 */
export function idFromKey(...parts: readonly string[]): string {
  const digest = createHash('sha256').update(parts.join('\n')).digest()
  let bits = 0n
  for (const byte of digest.subarray(0, 16)) bits = (bits << 8n) | BigInt(byte)
  let id = ''
  for (let i = 0; i < 26; i++) {
    id = crockford[Number(bits & 31n)] + id
    bits >>= 5n
  }
  return id
}
