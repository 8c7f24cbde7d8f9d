/**
 * Kafka's own murmur2 (the Java client's `Utils.murmur2`), so that an aggregate lives in the same
 * partition whichever client writes it: partition = toPositive(murmur2(utf8(key))) % partitions.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995
  const length = data.length
  let h = (0x9747b28c ^ length) | 0
  const fours = length & ~3
  for (let i = 0; i < fours; i += 4) {
    let k = (data[i]! & 0xff) | ((data[i + 1]! & 0xff) << 8) | ((data[i + 2]! & 0xff) << 16) | ((data[i + 3]! & 0xff) << 24)
    k = Math.imul(k, m)
    k ^= k >>> 24
    k = Math.imul(k, m)
    h = Math.imul(h, m) ^ k
  }
  // The last 1–3 bytes, as the Java client's switch falls through them.
  const rest = length & 3
  if (rest >= 3) h ^= (data[fours + 2]! & 0xff) << 16
  if (rest >= 2) h ^= (data[fours + 1]! & 0xff) << 8
  if (rest >= 1) {
    h ^= data[fours]! & 0xff
    h = Math.imul(h, m)
  }
  h ^= h >>> 13
  h = Math.imul(h, m)
  h ^= h >>> 15
  return h | 0
}

const encoder = new TextEncoder()

/** The partition of a key among `partitions`, as the Java client's default partitioner picks it. */
export const partitionOfKey = (key: string, partitions: number): number => (murmur2(encoder.encode(key)) & 0x7fffffff) % partitions
