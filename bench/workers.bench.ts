import { newId } from '../src/infra/ids.ts'
import { createWriteSide } from '../src/commands/write-side.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { StoredEvent } from '../src/events/envelope.ts'
import { eventTopic } from '../src/events/topics.ts'
import { laneTopics } from '../src/dispatch/dispatch-topics.ts'
import type { BenchEnv } from './bench-env.ts'
import { waitUntil } from './bench-env.ts'
import type { Row } from './commands.bench.ts'

/**
 * No-op (echo) tasks per second through one worker process, measured from the first TaskStarted
 * to the last TaskCompleted over a backlog already dispatched; and the seconds from a lag spike
 * (first task of the burst created) to the first task started by a newly forked worker.
 */
export async function benchWorkers(env: BenchEnv, log: (line: string) => void, count = 3_000): Promise<Row[]> {
  const { services, config } = env
  await services.codec.resolveIds()
  const writeSide = await createWriteSide(services)
  const events: StoredEvent[] = []
  const collector = services.kafka.consumer({ groupId: `${config.kafka.topicPrefix}.bench-collector`, maxWaitTimeInMs: 50 })
  await collector.connect()
  await collector.subscribe({ topic: eventTopic(config.kafka.topicPrefix, 'task'), fromBeginning: true })
  await collector.run({
    eachMessage: async ({ topic, partition, message }) => {
      const type = message.headers?.['event-type']?.toString()
      if (type === 'TaskStarted' || type === 'TaskCompleted')
        events.push(await services.codec.decode(message, { topic, partition, offset: message.offset }))
    },
  })
  env.spawnRole(['reactors', '--group', 'dispatch'], { AGENTFLEET_REACTOR_GROUPS: 'dispatch:dispatcher;rest:*' })
  const create = async (pool: string, n: number, payload: unknown) => {
    const ids: string[] = []
    for (let i = 0; i < n; i += 200) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(200, n - i) }, () => {
            const id = newId()
            return writeSide
              .execute(
                'task',
                id,
                taskDecider,
                {
                  type: 'CreateTask',
                  taskId: id,
                  commandId: id,
                  title: 'bench',
                  description: null,
                  pool,
                  role: null,
                  priority: 'NORMAL',
                  payload,
                  metadata: {},
                  maxAttempts: 3,
                  timeoutMs: 30_000,
                  projectId: null,
                  workflowId: null,
                  dependsOn: [],
                },
                { commandId: id, correlationId: id, causationId: null, actor: 'bench' },
                { expectNew: true },
              )
              .then(() => id)
          }),
        )),
      )
    }
    return ids
  }
  const dispatched = async (pool: string) => {
    const offsets = await Promise.all(
      laneTopics(config.kafka.topicPrefix, pool).map((t) => services.admin.fetchTopicOffsets(t).catch(() => [])),
    )
    return offsets.flat().reduce((n, o) => n + Number(o.high), 0)
  }
  const of = (type: string, ids: ReadonlySet<string>) => events.filter((e) => e.type === type && ids.has(e.meta.aggregateId))

  log(`creating ${count} echo tasks and dispatching them`)
  const ids = new Set(await create('bench', count, { n: 1 }))
  await waitUntil(async () => (await dispatched('bench')) >= count, 120_000, 'the dispatch records')
  log('starting one worker process (32 slots)')
  env.spawnRole([
    'workers',
    '--pool',
    'bench',
    '--min-workers',
    '1',
    '--max-workers',
    '1',
    '--max-agents',
    process.env.BENCH_WORKER_SLOTS ?? '32',
    '--scale-interval-ms',
    '1000',
  ])
  await waitUntil(async () => of('TaskCompleted', ids).length >= count, 300_000, 'every bench task')
  const first = Math.min(...of('TaskStarted', ids).map((e) => e.meta.occurredAt))
  const last = Math.max(...of('TaskCompleted', ids).map((e) => e.meta.occurredAt))
  const rate = count / ((last - first) / 1000)
  log(`  ${Math.round(rate)} tasks/s`)

  log('spike: one idle worker (lagThreshold 50, scale interval 500 ms), then 600 tasks of 20 ms')
  env.spawnRole([
    'workers',
    '--pool',
    'spike',
    '--min-workers',
    '1',
    '--max-workers',
    '3',
    '--max-agents',
    '4',
    '--lag-threshold',
    '50',
    '--scale-interval-ms',
    '500',
  ])
  const warm = new Set(await create('spike', 1, {}))
  await waitUntil(async () => of('TaskStarted', warm).length > 0, 60_000, 'the idle worker')
  const firstAgent = (of('TaskStarted', warm)[0]!.data as { agentId: string }).agentId
  const spikeAt = Date.now()
  const spike = new Set(await create('spike', 600, { delayMs: 20 }))
  await waitUntil(
    async () => of('TaskStarted', spike).some((e) => (e.data as { agentId: string }).agentId !== firstAgent),
    60_000,
    'a new worker to start a task',
  )
  const newAt = Math.min(
    ...of('TaskStarted', spike)
      .filter((e) => (e.data as { agentId: string }).agentId !== firstAgent)
      .map((e) => e.meta.occurredAt),
  )
  const spikeS = (newAt - spikeAt) / 1000
  log(`  ${spikeS.toFixed(2)} s from spike to the first task of a new worker`)
  await collector.disconnect()
  await writeSide.close()
  return [
    {
      figure: 'no-op tasks through one worker process',
      value: `${Math.round(rate).toLocaleString()} tasks/s`,
      target: '≥ 1.0× BullMQ',
      ok: undefined,
    },
    { figure: 'lag spike → new worker consuming', value: `${spikeS.toFixed(2)} s`, target: '≤ 5 s', ok: spikeS <= 5 },
  ]
}
