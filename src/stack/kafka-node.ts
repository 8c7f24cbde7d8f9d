import { execFile } from 'node:child_process'
import { access, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Config } from '../config.ts'
import { AppError } from '../errors.ts'
import type { JavaInfo } from './java.ts'
import { initialHeap, newClusterId, renderLog4j2Properties, renderServerProperties } from './kafka-config.ts'
import { kafkaEndpoint, type StackLayout } from './layout.ts'
import { fetchKafkaLibs } from './maven-fetch.ts'
import type { StackPart } from './part.ts'
import { kafkaMetadataReady } from './kafka-probe.ts'

const run = promisify(execFile)

export type KafkaNodeDeps = Readonly<{ config: Pick<Config, 'kafka' | 'stack'>; layout: StackLayout }>

/** The single-node KRaft broker (broker + controller in one JVM), built from Maven Central jars. */
export function kafkaNode({ config, layout }: KafkaNodeDeps): StackPart {
  const { host, port } = kafkaEndpoint(config)
  const version = config.stack.kafkaVersion
  const serverProperties = path.join(layout.kafkaConfigDir, 'server.properties')
  const log4j = path.join(layout.kafkaConfigDir, 'log4j2.properties')
  const logFile = path.join(layout.logs, 'kafka.log')
  const classpath = `${layout.kafkaLibs}${path.sep}*`
  const markers = [`-Dagentfleet.stack=${layout.root}`, '-Dagentfleet.part=kafka']

  // Same JVM flags for the storage tool and the broker, so both find the log4j config.
  const jvmFlags = [`-Dlog4j2.configurationFile=${log4j}`, `-Dkafka.logs.dir=${layout.logs}`, '-Djava.awt.headless=true']

  async function formatStorage(java: JavaInfo, onStart: () => void): Promise<boolean> {
    const formatted = await access(path.join(layout.kafkaData, 'meta.properties')).then(
      () => true,
      () => false,
    )
    if (formatted) return false
    onStart()
    await mkdir(layout.kafkaData, { recursive: true })
    const args = [
      ...jvmFlags,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '--standalone',
      '-t',
      newClusterId(),
      '-c',
      serverProperties,
    ]
    try {
      await run(java.bin, args, { timeout: 120_000 })
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string }
      throw new AppError(
        'stack.kafka-format',
        `formatting Kafka storage in ${layout.kafkaData} failed: ${(e.stderr || e.stdout || e.message).trim()}`,
      )
    }
    return true
  }

  return {
    name: 'kafka',
    label: 'Kafka broker',
    product: `Kafka ${version}`,
    endpoint: `${host}:${port}`,
    pidFile: path.join(layout.run, 'kafka.pid'),
    logFile,
    ports: [
      { host, port, setting: 'AGENTFLEET_KAFKA_BROKERS' },
      { host: '127.0.0.1', port: config.stack.kafkaControllerPort, setting: 'AGENTFLEET_KAFKA_CONTROLLER_PORT' },
    ],
    markers,
    readyTimeoutMs: 120_000,

    async prepare(java, task) {
      await fetchKafkaLibs(layout.kafkaHome, layout.kafkaLibs, version, () => task.update(`downloading Kafka ${version} jars (first run)`))
      await mkdir(layout.kafkaConfigDir, { recursive: true })
      await mkdir(layout.logs, { recursive: true })
      const settings = {
        host,
        port,
        controllerPort: config.stack.kafkaControllerPort,
        dataDir: layout.kafkaData,
        partitions: config.kafka.partitions,
      }
      await writeFile(serverProperties, renderServerProperties(settings))
      await writeFile(log4j, renderLog4j2Properties())
      await formatStorage(java, () => task.update('formatting KRaft storage (first run)'))
    },

    launchSpec(java) {
      const heap = config.stack.kafkaHeap
      return {
        command: java.bin,
        args: [
          `-Xms${initialHeap(heap)}`,
          `-Xmx${heap}`,
          '-XX:+ExitOnOutOfMemoryError',
          ...jvmFlags,
          ...markers,
          '-cp',
          classpath,
          'kafka.Kafka',
          serverProperties,
        ],
        cwd: layout.root,
        env: { ...process.env, ...(java.home ? { JAVA_HOME: java.home } : {}) },
      }
    },

    isReady: () => kafkaMetadataReady({ host, port }),
  }
}
