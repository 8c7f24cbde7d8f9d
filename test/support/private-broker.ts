import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../../src/config.ts'
import { findJava } from '../../src/stack/java.ts'
import { kafkaNode } from '../../src/stack/kafka-node.ts'
import { stackLayout } from '../../src/stack/layout.ts'
import { bringDown, bringUp } from '../../src/stack/part.ts'
import { readPid } from '../../src/stack/pid-files.ts'

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })

const noTask = { update: () => undefined, done: () => undefined, fail: () => undefined }

export type PrivateBroker = Readonly<{
  brokers: string
  /** SIGSTOP: the broker keeps its sockets but answers nothing (a stalled broker, a long GC pause) */
  pause: () => void
  resume: () => void
  /** SIGKILL, as a crash */
  kill: () => void
  /** starts it again on its data after a kill */
  restart: () => Promise<void>
  stop: () => Promise<void>
}>

/**
 * A Kafka broker of a test's own (KRaft, single node, own ports and data under a temp dir), using
 * the jars `stack up` already downloaded: outage tests stop and pause it without disturbing the
 * shared broker the other tests use. Starts in ~10 s.
 */
export async function startPrivateBroker(): Promise<PrivateBroker> {
  const shared = loadConfig()
  const root = await mkdtemp(path.join(tmpdir(), 'af-broker-'))
  const [port, controllerPort] = [await freePort(), await freePort()]
  const config = loadConfig({
    ...process.env,
    AGENTFLEET_KAFKA_BROKERS: `127.0.0.1:${port}`,
    AGENTFLEET_KAFKA_CONTROLLER_PORT: String(controllerPort),
    AGENTFLEET_KAFKA_HEAP: '256m',
  })
  const sharedLayout = stackLayout(shared, process.cwd())
  const layout = {
    ...stackLayout({ ...config, stack: { ...config.stack, dir: root } }, process.cwd()),
    kafkaHome: sharedLayout.kafkaHome,
    kafkaLibs: sharedLayout.kafkaLibs,
  }
  const part = kafkaNode({ config, layout })
  const up = async () => {
    await bringUp(part, () => findJava(config.stack.javaHome), noTask)
    return (await readPid(part.pidFile))!
  }
  let pid = await up()
  return {
    brokers: `127.0.0.1:${port}`,
    pause: () => process.kill(pid, 'SIGSTOP'),
    resume: () => process.kill(pid, 'SIGCONT'),
    kill: () => process.kill(pid, 'SIGKILL'),
    restart: async () => {
      pid = await up()
    },
    stop: async () => {
      try {
        process.kill(pid, 'SIGCONT')
      } catch {
        /* already gone */
      }
      await bringDown(part, 5_000)
      await rm(root, { recursive: true, force: true })
    },
  }
}
