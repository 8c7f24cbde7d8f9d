/**
 * Log-spaced millisecond histograms for latency percentiles.
 *
 * Bucket 0 holds [0, 1) ms; bucket i ≥ 1 holds [2^((i-1)/4), 2^(i/4)) ms: four buckets per
 * doubling, so a percentile read from the buckets is within ±9.05 % of the true value (the
 * representative is the geometric middle of its bucket, whose bounds differ by 2^(1/4)).
 * The last bucket also takes everything above 2^27 ms (≈ 37 h). Histograms add elementwise,
 * so per-minute rows sum to any window without losing precision.
 */
export const bucketsPerDoubling = 4
export const bucketCount = 1 + bucketsPerDoubling * 27

/** Relative precision of a value read back from its bucket (half a bucket, geometrically). */
export const bucketPrecision = 2 ** (1 / (2 * bucketsPerDoubling)) - 1

export function bucketOf(ms: number): number {
  if (!(ms >= 1)) return 0
  return Math.min(bucketCount - 1, 1 + Math.floor(bucketsPerDoubling * Math.log2(ms)))
}

/** The geometric middle of a bucket: the value a percentile falling into it reports. */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return 0.5
  return 2 ** ((bucket - 0.5) / bucketsPerDoubling)
}

/** Bucket index → count; sparse, because most minutes touch a handful of buckets. */
export type Histogram = Map<number, number>

export function addSample(h: Histogram, ms: number, n = 1): void {
  const b = bucketOf(ms)
  h.set(b, (h.get(b) ?? 0) + n)
}

export function mergeInto(target: Histogram, source: ReadonlyMap<number, number>): void {
  for (const [b, n] of source) target.set(b, (target.get(b) ?? 0) + n)
}

/** Dense form for the int[] column. */
export function toDense(h: ReadonlyMap<number, number>): number[] {
  const out = new Array<number>(bucketCount).fill(0)
  for (const [b, n] of h) out[b] = (out[b] ?? 0) + n
  return out
}

/**
 * The nearest-rank percentile (p in (0, 1]): the value of the bucket holding the ⌈p·n⌉-th
 * smallest sample; null when the histogram is empty. Rounded to 0.1 ms.
 */
export function percentile(h: ReadonlyMap<number, number>, p: number): number | null {
  let total = 0
  for (const n of h.values()) total += n
  if (total === 0) return null
  const rank = Math.max(1, Math.ceil(p * total))
  let seen = 0
  for (const b of [...h.keys()].sort((x, y) => x - y)) {
    seen += h.get(b) ?? 0
    if (seen >= rank) return Math.round(bucketValue(b) * 10) / 10
  }
  return null
}
