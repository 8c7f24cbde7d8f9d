import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.ts'
import { jdbcUrl, maintenanceUrl, parseDatabaseUrl, quoteIdent } from '../src/stack/databases.ts'
import { parseJavaVersion, pickJava, type JavaInfo } from '../src/stack/java.ts'
import { lastLines } from '../src/stack/jvm-process.ts'
import { initialHeap, newClusterId, renderLog4j2Properties, renderServerProperties } from '../src/stack/kafka-config.ts'
import { decodeMetadataBrokers, encodeMetadataRequest } from '../src/stack/kafka-probe.ts'
import { kafkaEndpoint, registryEndpoint, stackLayout } from '../src/stack/layout.ts'
import { withLock } from '../src/stack/lock.ts'
import { renderKafkaPom } from '../src/stack/maven-fetch.ts'
import { classifyPart, type PortUse } from '../src/stack/part.ts'
import { isOurCommand, parsePid, zombieState } from '../src/stack/pid-files.ts'
import { registryEnv } from '../src/stack/registry-node.ts'
import { createConsoleReporter } from '../src/stack/reporter.ts'
import { serviceProblem } from '../src/stack/prerequisites.ts'
import { downLines, partLine } from '../src/stack/status-text.ts'

const properties = (text: string): Map<string, string> =>
  new Map(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  )

describe('server.properties', () => {
  const props = properties(
    renderServerProperties({ host: '127.0.0.1', port: 9092, controllerPort: 9093, dataDir: '/s/data/kafka', partitions: 12 }),
  )

  it('runs one combined broker and controller on the configured ports', () => {
    expect(props.get('process.roles')).toBe('broker,controller')
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093')
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9092')
    expect(props.get('controller.quorum.bootstrap.servers')).toBe('127.0.0.1:9093')
    expect(props.get('log.dirs')).toBe('/s/data/kafka')
  })

  it('uses replication factor 1 for internal topics and never auto-creates topics', () => {
    expect(props.get('offsets.topic.replication.factor')).toBe('1')
    expect(props.get('transaction.state.log.min.isr')).toBe('1')
    expect(props.get('share.coordinator.state.topic.replication.factor')).toBe('1')
    expect(props.get('auto.create.topics.enable')).toBe('false')
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0')
    expect(props.get('num.partitions')).toBe('12')
  })

  it('escapes backslashes in paths', () => {
    const text = renderServerProperties({ host: 'localhost', port: 1, controllerPort: 2, dataDir: 'C:\\data', partitions: 1 })
    expect(properties(text).get('log.dirs')).toBe('C:\\\\data')
  })

  it('logs to the console at WARN with start-up milestones', () => {
    const log4j = properties(renderLog4j2Properties().replace(/ = /g, '='))
    expect(log4j.get('rootLogger.level')).toBe('WARN')
    expect(log4j.get('appender.console.type')).toBe('Console')
    expect(log4j.get('logger.server.name')).toBe('kafka.server.KafkaRaftServer')
  })
})

describe('cluster id and heap', () => {
  it('is 22 base64url characters encoding 16 bytes', () => {
    const id = newClusterId()
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(Buffer.from(id, 'base64url')).toHaveLength(16)
  })

  it('never starts with a dash', () => {
    const draws = [Buffer.alloc(16, 0xfb), Buffer.alloc(16, 0x11)] // 0xfb… encodes to "-" first
    const id = newClusterId(() => draws.shift() as Buffer)
    expect(id.startsWith('-')).toBe(false)
    expect(draws).toHaveLength(0)
  })

  it('keeps the initial heap small but never above the maximum', () => {
    expect(initialHeap('512m')).toBe('64m')
    expect(initialHeap('1g')).toBe('64m')
    expect(initialHeap('32m')).toBe('32m')
  })
})

describe('java', () => {
  it('parses java -version output of modern and legacy JDKs', () => {
    expect(parseJavaVersion('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment')).toEqual({ major: 17, version: '17.0.15' })
    expect(parseJavaVersion('openjdk version "25" 2025-09-16')).toEqual({ major: 25, version: '25' })
    expect(parseJavaVersion('openjdk version "21-ea" 2023-09-19')).toEqual({ major: 21, version: '21-ea' })
    expect(parseJavaVersion('java version "1.8.0_392"')).toEqual({ major: 8, version: '1.8.0_392' })
    expect(parseJavaVersion('bash: java: command not found')).toBeUndefined()
  })

  it('picks the newest JDK at or above 21', () => {
    const jdk = (major: number, home: string): JavaInfo => ({ home, bin: `${home}/bin/java`, major, version: String(major) })
    expect(pickJava([jdk(17, 'a'), jdk(25, 'b'), jdk(21, 'c')])?.home).toBe('b')
    expect(pickJava([jdk(21, 'first'), jdk(21, 'second')])?.home).toBe('first')
    expect(pickJava([jdk(17, 'a'), jdk(11, 'b')])).toBeUndefined()
  })
})

describe('pid files', () => {
  it('accepts only a positive integer above 1', () => {
    expect(parsePid('1234\n')).toBe(1234)
    expect(parsePid('  42 ')).toBe(42)
    expect(parsePid('')).toBeUndefined()
    expect(parsePid('1')).toBeUndefined()
    expect(parsePid('12ab')).toBeUndefined()
    expect(parsePid('-5')).toBeUndefined()
  })

  it('reads the process state after a command name containing spaces and parens', () => {
    expect(zombieState('123 (java) S 1 123')).toBe('S')
    expect(zombieState('123 (my (odd) name) Z 1 123')).toBe('Z')
  })

  it('recognises our JVMs by their marker arguments', () => {
    const markers = ['-Dagentfleet.stack=/w/.stack', '-Dagentfleet.part=kafka']
    expect(isOurCommand(['java', ...markers, 'kafka.Kafka'], markers)).toBe(true)
    expect(isOurCommand(['java', '-Dagentfleet.stack=/other/.stack', '-Dagentfleet.part=kafka'], markers)).toBe(false)
    expect(isOurCommand(['bash'], markers)).toBe(false)
    expect(isOurCommand(undefined, markers)).toBe(true)
  })
})

describe('part state', () => {
  const ports: PortUse[] = [
    { host: '127.0.0.1', port: 9092, setting: 'AGENTFLEET_KAFKA_BROKERS' },
    { host: '127.0.0.1', port: 9093, setting: 'AGENTFLEET_KAFKA_CONTROLLER_PORT' },
  ]

  it('is running when our pid lives and the main port answers', () => {
    expect(classifyPart({ pid: 10, ours: true, openPorts: [true, true], ports })).toEqual({ kind: 'running', pid: 10 })
  })

  it('is starting when our pid lives but the main port is silent', () => {
    expect(classifyPart({ pid: 10, ours: true, openPorts: [false, true], ports })).toEqual({ kind: 'starting', pid: 10 })
  })

  it('reports a foreign process holding a port', () => {
    expect(classifyPart({ pid: undefined, ours: false, openPorts: [false, true], ports })).toEqual({ kind: 'port-taken', port: ports[1] })
    expect(classifyPart({ pid: 10, ours: false, openPorts: [true, false], ports })).toEqual({ kind: 'port-taken', port: ports[0] })
  })

  it('is stopped, remembering a stale pid', () => {
    expect(classifyPart({ pid: 10, ours: false, openPorts: [false, false], ports })).toEqual({ kind: 'stopped', stalePid: 10 })
    expect(classifyPart({ pid: undefined, ours: false, openPorts: [false, false], ports })).toEqual({
      kind: 'stopped',
      stalePid: undefined,
    })
  })

  it('names the port and the setting in status lines', () => {
    const base = { name: 'kafka', label: 'Kafka broker', product: 'Kafka 4.3.1', endpoint: '127.0.0.1:9092', logFile: '/s/logs/kafka.log' }
    expect(partLine({ ...base, state: { kind: 'port-taken', port: ports[0] as PortUse } })).toContain(
      'port 9092 is in use by another process; stop it or set AGENTFLEET_KAFKA_BROKERS',
    )
    expect(partLine({ ...base, state: { kind: 'running', pid: 7 } })).toContain('Kafka 4.3.1 on 127.0.0.1:9092, pid 7')
  })

  it('says so when down finds nothing to stop', () => {
    expect(
      downLines([
        { name: 'kafka', result: 'not-running' },
        { name: 'registry', result: 'stale-pid-file' },
      ]),
    ).toEqual(['stack is not running; nothing to stop'])
    expect(
      downLines([
        { name: 'kafka', result: 'stopped' },
        { name: 'registry', result: 'not-running' },
      ]),
    ).toHaveLength(2)
  })
})

describe('config-derived endpoints and layout', () => {
  it('takes Kafka from the first broker and the registry port from its URL', () => {
    const config = loadConfig({
      AGENTFLEET_KAFKA_BROKERS: '127.0.0.1:19092,other:9092',
      AGENTFLEET_REGISTRY_URL: 'http://localhost:18081/apis/ccompat/v7',
    })
    expect(kafkaEndpoint(config)).toEqual({ host: '127.0.0.1', port: 19092 })
    expect(registryEndpoint(config)).toEqual({ host: 'localhost', port: 18081, readyUrl: 'http://localhost:18081/apis/ccompat/v7/config' })
  })

  it('refuses remote addresses: the stack only runs local servers', () => {
    expect(() => kafkaEndpoint(loadConfig({ AGENTFLEET_KAFKA_BROKERS: 'kafka.prod:9092' }))).toThrow(/only serves 127.0.0.1/)
    expect(() => kafkaEndpoint(loadConfig({ AGENTFLEET_KAFKA_BROKERS: 'nonsense' }))).toThrow(/host:port/)
  })

  it('keeps versioned downloads and state under the stack dir', () => {
    const layout = stackLayout(loadConfig({}), '/work')
    expect(layout.kafkaLibs).toBe('/work/.stack/kafka-4.3.1/libs')
    expect(layout.registryHome).toBe('/work/.stack/registry-3.3.3')
    expect(layout.run).toBe('/work/.stack/run')
  })
})

describe('postgres', () => {
  it('parses the database URL with defaults the registry datasource needs', () => {
    expect(parseDatabaseUrl('postgres://postgres@127.0.0.1:5432/agentfleet')).toEqual({
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      password: 'postgres',
      database: 'agentfleet',
    })
    expect(parseDatabaseUrl('postgresql://u%40x:p%2Fw@db:6543/app')).toMatchObject({
      user: 'u@x',
      password: 'p/w',
      port: 6543,
      database: 'app',
    })
  })

  it('connects to the maintenance database and builds a JDBC URL', () => {
    expect(maintenanceUrl('postgres://u:p@h:1/app?sslmode=disable')).toBe('postgres://u:p@h:1/postgres?sslmode=disable')
    expect(jdbcUrl(parseDatabaseUrl('postgres://postgres@127.0.0.1:5432/agentfleet'), 'agentfleet_registry')).toBe(
      'jdbc:postgresql://127.0.0.1:5432/agentfleet_registry',
    )
    expect(quoteIdent('we"ird')).toBe('"we""ird"')
  })

  it('gives the registry its database, credentials and port', () => {
    const env = registryEnv(loadConfig({}), '127.0.0.1', 8081)
    expect(env).toMatchObject({
      APICURIO_STORAGE_KIND: 'sql',
      APICURIO_DATASOURCE_URL: 'jdbc:postgresql://127.0.0.1:5432/agentfleet_registry',
      APICURIO_DATASOURCE_USERNAME: 'postgres',
      QUARKUS_HTTP_PORT: '8081',
      QUARKUS_MANAGEMENT_HOST: '127.0.0.1', // not 0.0.0.0:9000
    })
  })
})

describe('messages', () => {
  it('tells how to start a missing service, or which setting to check', () => {
    expect(serviceProblem('redis', '127.0.0.1:6379', 'connection refused')).toContain('redis-server --daemonize yes')
    expect(serviceProblem('postgres', '127.0.0.1:5432', 'connection refused')).toContain('pg_ctlcluster --skip-systemctl-redirect')
    expect(serviceProblem('postgres', '127.0.0.1:5432', 'password authentication failed')).toContain('check AGENTFLEET_DATABASE_URL')
  })

  it('keeps the last non-empty log lines', () => {
    expect(lastLines('a\n\nb\r\nc\n', 2)).toEqual(['b', 'c'])
  })

  it('prints plain lines without a TTY', () => {
    const written: string[] = []
    const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream
    const reporter = createConsoleReporter(stream)
    const task = reporter.task('kafka', 'checking')
    task.update('starting')
    task.update('starting')
    task.done('ready')
    reporter.close()
    expect(written.join('')).toMatch(/^kafka: checking\nkafka: starting \(\d+\.\ds\)\nkafka: ready \(\d+\.\ds\)\n$/)
  })
})

describe('kafka pom and metadata probe', () => {
  it('depends on the broker, the storage tool and a log4j2 slf4j binding', () => {
    const pom = renderKafkaPom('4.3.1')
    expect(pom).toContain('<artifactId>kafka_2.13</artifactId><version>4.3.1</version>')
    expect(pom).toContain('<artifactId>kafka-storage</artifactId><version>4.3.1</version>')
    expect(pom).toContain('<artifactId>log4j-slf4j-impl</artifactId>')
  })

  it('encodes a Metadata v6 request for no topics', () => {
    const request = encodeMetadataRequest(7, 'x')
    expect(request.readInt32BE(0)).toBe(request.length - 4)
    expect(request.readInt16BE(4)).toBe(3) // Metadata
    expect(request.readInt16BE(6)).toBe(6)
    expect(request.readInt32BE(8)).toBe(7)
  })

  it('decodes the broker list of a response', () => {
    const host = Buffer.from('127.0.0.1')
    const body = Buffer.alloc(4 + 4 + 4 + 4 + 2 + host.length + 4 + 2)
    let o = body.writeInt32BE(7, 0) // correlation id
    o = body.writeInt32BE(0, o) // throttle
    o = body.writeInt32BE(1, o) // one broker
    o = body.writeInt32BE(1, o) // node id
    o = body.writeInt16BE(host.length, o)
    o += host.copy(body, o)
    o = body.writeInt32BE(9092, o)
    body.writeInt16BE(-1, o) // rack: null
    const size = Buffer.alloc(4)
    size.writeInt32BE(body.length)
    expect(decodeMetadataBrokers(Buffer.concat([size, body]))).toEqual({
      correlationId: 7,
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }],
    })
  })
})

describe('stack lock', () => {
  it('serialises holders and takes over a lock whose holder died', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'af-lock-'))
    try {
      const file = path.join(dir, 'kafka.lock')
      await writeFile(file, '999999999\n') // a pid that cannot exist
      const order: string[] = []
      const hold = (name: string) =>
        withLock(file, async () => {
          order.push(`${name}:in`)
          await new Promise((r) => setTimeout(r, 30))
          order.push(`${name}:out`)
        })
      await Promise.all([hold('a'), hold('b')])
      expect(order).toHaveLength(4)
      expect(order[0]?.endsWith(':in') && order[1]?.endsWith(':out')).toBe(true)
      expect(order[0]?.[0]).toBe(order[1]?.[0])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
