import { ValidationError } from '../errors.ts'

/**
 * A position in the live stream: for every partition of every event topic, the next offset a
 * client has not seen yet. Partitions are laid out in one flat array ("slots") so a position
 * is a plain number[] that is cheap to copy per event.
 */
export type TopicSlots = Readonly<{ topic: string; aggregate: string; partitions: number; base: number }>

export type StreamLayout = Readonly<{
  topics: readonly TopicSlots[]
  size: number
  slotOf: (topic: string, partition: number) => number | undefined
}>

export type Position = number[]

export function createLayout(entries: readonly { topic: string; aggregate: string; partitions: number }[]): StreamLayout {
  let base = 0
  const topics = [...entries]
    .sort((a, b) => a.aggregate.localeCompare(b.aggregate))
    .map((e) => {
      const slots = { ...e, base }
      base += e.partitions
      return slots
    })
  const byTopic = new Map(topics.map((t) => [t.topic, t]))
  return {
    topics,
    size: base,
    slotOf: (topic, partition) => {
      const t = byTopic.get(topic)
      return t && partition >= 0 && partition < t.partitions ? t.base + partition : undefined
    },
  }
}

const VERSION = 1

const writeVarint = (out: number[], value: number): void => {
  let v = value
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
}

/**
 * Opaque, compact and URL-safe: base64url of [version, then per topic: aggregate name,
 * partition count, varint offsets]. Aggregate names (not slot numbers) make an id survive
 * a topic being added; a topic missing from an id reads as "from the beginning".
 */
export function encodePosition(layout: StreamLayout, position: readonly number[]): string {
  const out: number[] = [VERSION]
  for (const t of layout.topics) {
    const name = Buffer.from(t.aggregate, 'utf8')
    out.push(name.length, ...name)
    writeVarint(out, t.partitions)
    for (let p = 0; p < t.partitions; p++) writeVarint(out, position[t.base + p] ?? 0)
  }
  return Buffer.from(out).toString('base64url')
}

const invalid = (): never => {
  throw new ValidationError('Last-Event-ID is not a stream position this API issued')
}

export function decodePosition(layout: StreamLayout, text: string): Position {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(text)) invalid()
  const bytes = Buffer.from(text, 'base64url')
  let i = 0
  const byte = (): number => (i < bytes.length ? bytes[i++]! : invalid())
  const varint = (): number => {
    let value = 0
    for (let scale = 1; ; scale *= 0x80) {
      const b = byte()
      value += (b & 0x7f) * scale
      if (b < 0x80) return value
      if (scale > 2 ** 49) invalid()
    }
  }
  if (byte() !== VERSION) invalid()
  const position: Position = new Array<number>(layout.size).fill(0)
  const byAggregate = new Map(layout.topics.map((t) => [t.aggregate, t]))
  while (i < bytes.length) {
    const length = byte()
    if (i + length > bytes.length) invalid()
    const aggregate = bytes.subarray(i, i + length).toString('utf8')
    i += length
    const partitions = varint()
    const t = byAggregate.get(aggregate)
    for (let p = 0; p < partitions; p++) {
      const offset = varint()
      if (t && p < t.partitions) position[t.base + p] = offset
    }
  }
  return position
}

/** True when `a` is at or past `b` on every slot in `slots`. */
export const reaches = (a: readonly number[], b: readonly number[], slots: readonly number[]): boolean =>
  slots.every((s) => (a[s] ?? 0) >= (b[s] ?? 0))

export const slotsOf = (layout: StreamLayout, aggregates?: ReadonlySet<string>): number[] =>
  layout.topics
    .filter((t) => !aggregates || aggregates.has(t.aggregate))
    .flatMap((t) => Array.from({ length: t.partitions }, (_, p) => t.base + p))
