import type { Message, Producer, RecordMetadata } from 'kafkajs'

export type OutgoingRecord = Readonly<{ topic: string; message: Message }>
export type Delivered = Readonly<{ topic: string; partition: number; offset: string }>

type Pending = { records: readonly OutgoingRecord[]; resolve: (d: Delivered[]) => void; reject: (e: unknown) => void }

/**
 * kafkajs' idempotent producer keeps one request in flight per broker and has no linger, so
 * concurrent appends share batches: while one send is in flight, new records queue up and go
 * out together as soon as it returns. Per-key order is kept because records of one aggregate
 * are serialized by its lease before they get here.
 */
export function createProduceBatcher(deps: { producer: Producer; requestTimeoutMs: number; maxBatchRecords?: number }) {
  const maxBatch = deps.maxBatchRecords ?? 2_000
  let queue: Pending[] = []
  let sending = false

  const flush = async (): Promise<void> => {
    if (sending || queue.length === 0) return
    sending = true
    let taken = 0
    let i = 0
    while (i < queue.length && (taken === 0 || taken + queue[i]!.records.length <= maxBatch)) taken += queue[i++]!.records.length
    const batch = queue.slice(0, i)
    queue = queue.slice(i)
    try {
      const byTopic = new Map<string, Message[]>()
      for (const p of batch) for (const r of p.records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r.message])
      const meta = await deps.producer.sendBatch({
        acks: -1,
        timeout: deps.requestTimeoutMs,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      })
      settle(batch, meta)
    } catch (error) {
      for (const p of batch) p.reject(error)
    } finally {
      sending = false
      void flush()
    }
  }

  return {
    send(records: readonly OutgoingRecord[]): Promise<Delivered[]> {
      return new Promise((resolve, reject) => {
        queue.push({ records, resolve, reject })
        void flush()
      })
    },
  }
}

export type ProduceBatcher = ReturnType<typeof createProduceBatcher>

/**
 * kafkajs reports one base offset per topic-partition; records keep their batch order within a
 * partition, so each record's offset is the base plus its rank there. Records carry an explicit
 * partition (the appender computes it), which makes this exact.
 */
function settle(batch: readonly Pending[], meta: readonly RecordMetadata[]): void {
  const next = new Map(meta.map((m) => [`${m.topicName}:${m.partition}`, BigInt(m.baseOffset ?? m.offset ?? '0')]))
  for (const p of batch) {
    p.resolve(p.records.map((r) => {
      const partition = r.message.partition ?? -1
      const key = `${r.topic}:${partition}`
      const offset = next.get(key) ?? -1n
      if (offset >= 0n) next.set(key, offset + 1n)
      return { topic: r.topic, partition, offset: offset.toString() }
    }))
  }
}
