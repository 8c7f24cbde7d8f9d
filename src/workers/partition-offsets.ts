import { createOffsetTracker, type OffsetTracker } from './offset-tracker.ts'

export type PartitionOffset = Readonly<{ topic: string; partition: number; offset: string }>

type Partition = { topic: string; partition: number; tracker: OffsetTracker; committed?: bigint }

const keyOf = (topic: string, partition: number) => `${topic}:${partition}`

/**
 * The offset trackers of the partitions a group member consumes, with the offset it last
 * committed for each, so a commit carries only the partitions that moved.
 */
export function createPartitionOffsets() {
  const partitions = new Map<string, Partition>()
  return {
    trackerOf(topic: string, partition: number): OffsetTracker {
      const key = keyOf(topic, partition)
      const known = partitions.get(key)
      if (known) return known.tracker
      const created: Partition = { topic, partition, tracker: createOffsetTracker() }
      partitions.set(key, created)
      return created.tracker
    },
    /** Forgets the partitions a rebalance gave to other members: their next owner commits them. */
    keepOnly(assignment: Readonly<Record<string, readonly number[]>>): void {
      const assigned = new Set(Object.entries(assignment).flatMap(([topic, ps]) => ps.map((p) => keyOf(topic, p))))
      for (const key of partitions.keys()) if (!assigned.has(key)) partitions.delete(key)
    },
    /** Offsets to commit: each partition whose committable offset differs from its last commit. */
    due(): PartitionOffset[] {
      const offsets: PartitionOffset[] = []
      for (const p of partitions.values()) {
        const next = p.tracker.committable()
        if (next === undefined || p.committed === next) continue
        offsets.push({ topic: p.topic, partition: p.partition, offset: next.toString() })
      }
      return offsets
    },
    committed(offsets: readonly PartitionOffset[]): void {
      for (const o of offsets) {
        const p = partitions.get(keyOf(o.topic, o.partition))
        if (p) p.committed = BigInt(o.offset)
      }
    },
  }
}

export type PartitionOffsets = ReturnType<typeof createPartitionOffsets>
