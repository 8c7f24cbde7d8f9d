import { Partitioners } from 'kafkajs'

/**
 * The partition of an aggregate's events: Java-compatible murmur2 of the key (the same as
 * Kafka's own clients), so other producers and tools agree on where an aggregate lives.
 */
export function createKeyPartitioner(): (topic: string, key: string, partitionCount: number) => number {
  const partitioner = Partitioners.DefaultPartitioner()
  const metadata = new Map<number, { partitionId: number; leader: number }[]>()
  return (topic, key, partitionCount) => {
    let partitions = metadata.get(partitionCount)
    if (!partitions) {
      partitions = Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 0 }))
      metadata.set(partitionCount, partitions)
    }
    return partitioner({ topic, partitionMetadata: partitions as never, message: { key, value: null } })
  }
}
