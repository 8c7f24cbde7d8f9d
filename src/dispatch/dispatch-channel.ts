import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type { Admin } from 'kafkajs'
import type { DeadLetterRecord, DispatchRecord } from '../events/generated/event-types.ts'
import type { SchemaSet } from '../events/schema-files.ts'
import { subjectName } from '../events/topics.ts'
import { registerSubject } from '../eventstore/schema-registration.ts'
import { ensureTopics, type TopicPlan } from '../eventstore/topic-admin.ts'
import { createRecordCodec } from './record-codec.ts'
import { deadLetterTopic, laneTopics } from './dispatch-topics.ts'

/** Dispatch records are work items, not history: kept a week. Dead letters are kept until purged. */
const laneConfig = { 'retention.ms': String(7 * 86_400_000), 'cleanup.policy': 'delete' } as const
const dlqConfig = { 'retention.ms': '-1', 'cleanup.policy': 'delete' } as const

export type PoolChannel = Readonly<{ laneSchemaId: number; dlqSchemaId: number }>

/**
 * A pool's dispatch topics (four lanes and the dead-letter topic), created on first use with
 * their record schemas registered under TopicRecordNameStrategy subjects, plus the codecs.
 */
export function createDispatchChannel(deps: {
  admin: Admin
  registry: SchemaRegistry
  registryUrl: string
  schemas: SchemaSet
  prefix: string
  partitions: number
}) {
  const schemaOf = (name: string) => {
    const r = deps.schemas.records?.find((x) => x.name === name)
    if (!r) throw new Error(`schemas/dispatch/${name}.avsc is missing`)
    return r
  }
  const dispatch = createRecordCodec<DispatchRecord>({ registry: deps.registry, record: schemaOf('DispatchRecord') })
  const deadLetter = createRecordCodec<DeadLetterRecord>({ registry: deps.registry, record: schemaOf('DeadLetterRecord') })
  const pools = new Map<string, Promise<PoolChannel>>()
  const partitionCounts = new Map<string, Promise<number>>()

  const create = async (pool: string): Promise<PoolChannel> => {
    const lanes = laneTopics(deps.prefix, pool)
    const dlq = deadLetterTopic(deps.prefix, pool)
    const plans: TopicPlan[] = [
      ...lanes.map((topic) => ({ topic, partitions: deps.partitions, config: laneConfig })),
      { topic: dlq, partitions: 1, config: dlqConfig },
    ]
    try {
      await ensureTopics(deps.admin, plans)
    } catch (error) {
      // Another process created them between the listing and the creation.
      if (!/already exists/i.test(String((error as Error).message))) throw error
      await ensureTopics(deps.admin, plans)
    }
    const laneIds = await Promise.all(
      lanes.map((t) => registerSubject(deps.registryUrl, subjectName(t, dispatch.record.fullName), JSON.stringify(dispatch.record.schema))),
    )
    const dlqSchemaId = await registerSubject(
      deps.registryUrl,
      subjectName(dlq, deadLetter.record.fullName),
      JSON.stringify(deadLetter.record.schema),
    )
    // One schema, one id: every lane subject resolves to the same registered schema.
    return { laneSchemaId: laneIds[0]!, dlqSchemaId }
  }

  return {
    dispatch,
    deadLetter,
    /** Partitions of a dispatch topic as the cluster has it (looked up once): records go to murmur2(taskId) of them. */
    partitionsOf(topic: string): Promise<number> {
      let count = partitionCounts.get(topic)
      if (!count) {
        count = deps.admin.fetchTopicMetadata({ topics: [topic] }).then((m) => m.topics[0]!.partitions.length)
        partitionCounts.set(topic, count)
        count.catch(() => partitionCounts.delete(topic))
      }
      return count
    },
    /** Creates the pool's topics once per process; concurrent callers share the work. */
    ensurePool(pool: string): Promise<PoolChannel> {
      let ready = pools.get(pool)
      if (!ready) {
        ready = create(pool)
        pools.set(pool, ready)
        ready.catch(() => pools.delete(pool))
      }
      return ready
    },
  }
}

export type DispatchChannel = ReturnType<typeof createDispatchChannel>
