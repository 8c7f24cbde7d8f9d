// A writer process for crash tests: `node test/support/append-writer.ts <mode> <aggregates>` with the
// harness' environment. It appends progress reports to task aggregates `<prefix>-0..n-1` (created
// first if missing) as fast as it can and prints one JSON line per acknowledged append
// ({ id, version, eventId }). Modes tell the parent the moments it wants to strike at:
//   load         no pauses
//   after-send   once: after its append landed and before the commit, says "landed" and waits
//   in-flight    once: right after handing its append to the producer, says "in-flight"
import { loadConfig } from '../../src/config.ts'
import { taskDecider } from '../../src/commands/task/task.decider.ts'
import { createWriteSide } from '../../src/commands/write-side.ts'
import { createKafkaEventLog } from '../../src/eventstore/kafka-event-log.ts'
import { createLogger } from '../../src/infra/logger.ts'
import { connectServices } from '../../src/infra/services.ts'

const [mode = 'load', count = '10'] = process.argv.slice(2)
const config = loadConfig()
const logger = createLogger(config, 'append-writer')
const services = await connectServices(config, logger, `append-writer-${process.pid}`)
const say = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`)
let struck = false
const strikeOnce = async (word: string) => {
  if (struck) return
  struck = true
  say({ signal: word })
  await new Promise(() => undefined)
}
const realLog = await createKafkaEventLog({ config, codec: services.codec, clientId: `append-writer-${process.pid}`, logger })
const log =
  mode !== 'in-flight'
    ? realLog
    : {
        ...realLog,
        append: (records: Parameters<typeof realLog.append>[0], sendBy: number) => {
          const sent = realLog.append(records, sendBy)
          if (!struck) {
            struck = true
            say({ signal: 'in-flight' })
          }
          return sent
        },
      }
const w = await createWriteSide(services, { log, ...(mode === 'after-send' ? { afterSend: () => strikeOnce('landed') } : {}) })
const ids = Array.from({ length: Number(count) }, (_, i) => `${config.kafka.topicPrefix}-agg-${i}`)
const ctx = (c: string) => ({ commandId: c, correlationId: 'crash', causationId: null, actor: 'append-writer' })
for (const id of ids) {
  await w
    .execute(
      'task',
      id,
      taskDecider,
      {
        type: 'CreateTask',
        taskId: id,
        commandId: `create-${id}`,
        title: id,
        description: null,
        pool: 'crash',
        role: null,
        priority: 'NORMAL',
        payload: {},
        metadata: {},
        maxAttempts: 1,
        timeoutMs: 1000,
        projectId: null,
        workflowId: null,
        dependsOn: ['never'],
      },
      ctx(`create-${id}`),
    )
    .catch(() => undefined)
}
say({ ready: true })
let n = 0
await Promise.all(
  ids.map(async (id) => {
    for (;;) {
      const step = `${process.pid}-${n++}`
      try {
        const r = await w.execute('task', id, taskDecider, { type: 'ReportTaskProgress', percent: n % 100, message: step }, ctx(step))
        say({ id, version: r.version, eventId: r.events[0]?.eventId })
        // Busy, not flat out: the rest of the test suite shares the machine.
        await new Promise((r) => setTimeout(r, 25))
      } catch (error) {
        say({ id, error: (error as { code?: string }).code ?? String(error) })
        await new Promise((r) => setTimeout(r, 50))
      }
    }
  }),
)
