import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it, expect } from 'vitest'
import { parse } from 'yaml'
import { configSchema, loadConfig, type Config } from '../src/config.ts'

/**
 * Static checks of docker-compose.yml, Dockerfile and .dockerignore: there is no Docker engine in CI,
 * so the wiring (service names, ports, AGENTFLEET_* names, dependencies) is verified by reading the files.
 */

const root = fileURLToPath(new URL('..', import.meta.url))
const readText = (file: string): string => readFileSync(join(root, file), 'utf8')

type PortSpec = string | number | { target: number | string; published?: number | string; host_ip?: string }
type DependsOn = string[] | Record<string, { condition?: string } | null>
type Service = {
  image?: string
  build?: string | { context?: string; dockerfile?: string }
  command?: string | string[]
  entrypoint?: string | string[]
  environment?: Record<string, string | number | boolean | null> | string[]
  ports?: PortSpec[]
  expose?: (string | number)[]
  depends_on?: DependsOn
  healthcheck?: { test?: string | string[]; disable?: boolean }
  restart?: string
  hostname?: string
}
type ComposeFile = { services: Record<string, Service> }

const composeText = readText('docker-compose.yml')
const compose = parse(composeText, { merge: true }) as ComposeFile
const services = compose.services
const serviceNames = Object.keys(services)
const configKeys = new Set(Object.keys(configSchema.shape))

const AGENTFLEET_SERVICES = ['agentfleet-init', 'agentfleet-api', 'agentfleet-projector', 'agentfleet-workers'] as const
const LONG_RUNNING_AGENTFLEET = ['agentfleet-api', 'agentfleet-projector', 'agentfleet-workers'] as const

// ---------------------------------------------------------------- helpers

const service = (name: string): Service => {
  const s = services[name]
  if (!s) throw new Error(`service ${name} is not in docker-compose.yml (services: ${serviceNames.join(', ')})`)
  return s
}

/** Compose interpolation as seen without any host variables: `${X:-d}` / `${X-d}` give d, `${X}` gives '', `$$` is `$`. */
const interpolate = (value: string): string =>
  value
    .replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?(?::?[?+][^}]*)?\}/g, (_m, fallback: string | undefined) => fallback ?? '')
    .replace(/\$\$/g, '$')

/** The environment of a service as the container sees it (list or map syntax; `KEY:` alone passes a host variable). */
const envOf = (s: Service): Record<string, string> => {
  const out: Record<string, string> = {}
  const env = s.environment
  if (Array.isArray(env)) {
    for (const entry of env) {
      const eq = entry.indexOf('=')
      if (eq > 0) out[entry.slice(0, eq)] = interpolate(entry.slice(eq + 1))
    }
  } else if (env) {
    for (const [k, v] of Object.entries(env)) if (v !== null && v !== undefined) out[k] = interpolate(String(v))
  }
  return out
}

const envKeysOf = (s: Service): string[] =>
  Array.isArray(s.environment) ? s.environment.map((e) => e.split('=')[0] ?? e) : Object.keys(s.environment ?? {})

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

type Mapping = { hostIp?: string; published?: number; target: number }

/** Short (`[ip:]published:target[/proto]`, `target`) and long (`{ target, published }`) port syntax. */
const portMappings = (s: Service): Mapping[] =>
  (s.ports ?? []).map((p): Mapping => {
    if (typeof p === 'number') return { target: p }
    if (typeof p === 'object') {
      return {
        target: Number(p.target),
        ...(p.published !== undefined ? { published: Number(p.published) } : {}),
        ...(p.host_ip ? { hostIp: p.host_ip } : {}),
      }
    }
    const spec = interpolate(p).replace(/\/(tcp|udp)$/, '')
    const m = /^(?:(\[[^\]]+\]|[^:]+):)??(?:(\d+):)?(\d+)$/.exec(spec)
    if (!m) throw new Error(`cannot read port spec ${p}`)
    return { target: Number(m[3]), ...(m[2] ? { published: Number(m[2]) } : {}), ...(m[1] ? { hostIp: m[1] } : {}) }
  })

const dependsOn = (s: Service): Record<string, string> => {
  const d = s.depends_on
  if (!d) return {}
  if (Array.isArray(d)) return Object.fromEntries(d.map((n) => [n, 'service_started']))
  return Object.fromEntries(Object.entries(d).map(([n, v]) => [n, v?.condition ?? 'service_started']))
}

type Listener = { name: string; host: string; port: number }
const parseListeners = (value: string | undefined): Listener[] =>
  (value ?? '')
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(l)
      if (!m) throw new Error(`cannot read listener ${l}`)
      return { name: m[1] ?? '', host: m[2] ?? '', port: Number(m[3]) }
    })

const isKafka = (s: Service): boolean => /(^|\/)(kafka|cp-kafka|cp-server)(-native)?:/.test(s.image ?? '')
const isAgentFleet = (s: Service): boolean => s.build !== undefined

/** Listeners of a Kafka service that containers on the compose network reach by the service name. */
const kafkaInternalListeners = (name: string): Listener[] => {
  const s = service(name)
  const env = envOf(s)
  const bound = parseListeners(env.KAFKA_LISTENERS)
  const names = new Set([name, s.hostname].filter(Boolean))
  return parseListeners(env.KAFKA_ADVERTISED_LISTENERS).filter(
    (a) => names.has(a.host) && bound.some((b) => b.name === a.name && b.port === a.port),
  )
}

/** Ports a service accepts connections on inside the compose network, from its own configuration. */
const listenPorts = (name: string): Set<number> => {
  const s = service(name)
  const env = envOf(s)
  const image = s.image ?? ''
  const command = asList(s.command).join(' ')
  const ports = new Set<number>((s.expose ?? []).map((p) => Number(String(p).split('/')[0])))
  if (isKafka(s)) for (const l of kafkaInternalListeners(name)) ports.add(l.port)
  if (env.SCHEMA_REGISTRY_LISTENERS)
    for (const u of env.SCHEMA_REGISTRY_LISTENERS.split(',')) ports.add(Number(new URL(u.trim()).port || 80))
  if (/(^|\/)postgres:/.test(image)) ports.add(Number(env.PGPORT ?? 5432))
  if (/(^|\/)redis:/.test(image)) ports.add(Number(/--port\s+(\d+)/.exec(command)?.[1] ?? 6379))
  if (image.includes('kafka-ui')) ports.add(Number(env.SERVER_PORT ?? 8080))
  if (isAgentFleet(s)) ports.add(configSchema.shape.AGENTFLEET_HTTP_PORT.parse(env.AGENTFLEET_HTTP_PORT))
  return ports
}

/** `host:port` must name a compose service and a port that service listens on. */
const expectEndpoint = (where: string, host: string, port: number): void => {
  expect(serviceNames, `${where}: host ${host} is not a compose service`).toContain(host)
  expect([...listenPorts(host)], `${where}: ${host} does not listen on ${port}`).toContain(port)
}

const defaultPorts: Record<string, number> = {
  'http:': 80,
  'https:': 443,
  'postgres:': 5432,
  'postgresql:': 5432,
  'redis:': 6379,
  'rediss:': 6379,
}
const urlEndpoint = (url: string): { host: string; port: number } => {
  const u = new URL(url)
  return { host: u.hostname, port: Number(u.port || defaultPorts[u.protocol]) }
}
const hostPort = (address: string): { host: string; port: number } => {
  const m = /^(?:[A-Za-z_]+:\/\/)?([^:/]+):(\d+)$/.exec(address.trim())
  if (!m) throw new Error(`cannot read host:port from ${address}`)
  return { host: m[1] ?? '', port: Number(m[2]) }
}

const configOf = (name: string): Config => loadConfig(envOf(service(name)))

/** Dockerfile instructions (continuations joined, comments dropped) and the final stage. */
const dockerfile = readText('Dockerfile')
const instructions = dockerfile
  .replace(/\\\r?\n/g, ' ')
  .split(/\r?\n/)
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const m = /^(\w+)\s+(.*)$/.exec(l)
    return { op: (m?.[1] ?? l).toUpperCase(), args: m?.[2] ?? '' }
  })
const lastFrom = instructions.map((i) => i.op).lastIndexOf('FROM')
const finalStage = instructions.slice(lastFrom)
const execForm = (op: string): string[] | undefined => {
  const last = finalStage.filter((i) => i.op === op).at(-1)
  return last ? (JSON.parse(last.args) as string[]) : undefined
}
const argDefaults = Object.fromEntries(
  instructions.filter((i) => i.op === 'ARG' && i.args.includes('=')).map((i) => i.args.split('=', 2) as [string, string]),
)
const resolveArgs = (v: string): string => v.replace(/\$\{?(\w+)\}?/g, (_m, name: string) => argDefaults[name] ?? '')

// ---------------------------------------------------------------- tests

describe('docker-compose.yml', () => {
  it('has every service of the stack', () => {
    for (const name of ['kafka', 'schema-registry', 'postgres', 'redis', 'kafka-ui', ...AGENTFLEET_SERVICES]) {
      expect(serviceNames, `missing service ${name}`).toContain(name)
    }
  })

  it('pins the infrastructure images', () => {
    expect(service('kafka').image).toBe('apache/kafka:4.1.1')
    expect(service('schema-registry').image).toMatch(/^confluentinc\/cp-schema-registry:7\.9\.\d+$/)
    expect(service('postgres').image).toMatch(/^postgres:17(\.|$)/)
    expect(service('redis').image).toMatch(/^redis:7(\.|$)/)
    expect(service('kafka-ui').image).toMatch(/^ghcr\.io\/kafbat\/kafka-ui:v\d+\.\d+\.\d+$/)
  })

  it('every AGENTFLEET_* variable is a key of configSchema (a typo fails)', () => {
    const unknown: string[] = []
    for (const [name, s] of Object.entries(services)) {
      for (const key of envKeysOf(s)) if (key.startsWith('AGENTFLEET_') && !configKeys.has(key)) unknown.push(`${name}: ${key}`)
    }
    // also anchors, interpolations and comments in the raw text, and the Dockerfile's ENV
    for (const [file, text] of [
      ['docker-compose.yml', composeText],
      ['Dockerfile', dockerfile],
    ] as const) {
      for (const m of text.matchAll(/\bAGENTFLEET_[A-Z0-9_]+\b/g)) if (!configKeys.has(m[0])) unknown.push(`${file}: ${m[0]}`)
    }
    expect(unknown, `not in configSchema (src/config.ts): ${unknown.join(', ')}`).toEqual([])
  })

  describe('kafka', () => {
    const env = envOf(service('kafka'))

    it('runs KRaft on one node with replication factors 1 and no topic auto-creation', () => {
      expect(env.KAFKA_PROCESS_ROLES?.split(',').sort()).toEqual(['broker', 'controller'])
      expect(env.CLUSTER_ID).toBeTruthy()
      expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false')
      const factors = Object.entries(env).filter(([k]) => /(REPLICATION_FACTOR|MIN_ISR|MIN_INSYNC_REPLICAS)$/.test(k))
      expect(factors.length).toBeGreaterThanOrEqual(3)
      for (const [k, v] of factors) expect(v, k).toBe('1')
    })

    it('has a controller listener matching the quorum voters', () => {
      const controllers = new Set(env.KAFKA_CONTROLLER_LISTENER_NAMES?.split(','))
      const controller = parseListeners(env.KAFKA_LISTENERS).find((l) => controllers.has(l.name))
      expect(controller, 'no controller listener in KAFKA_LISTENERS').toBeDefined()
      const voter = /^(\d+)@([^:]+):(\d+)$/.exec(env.KAFKA_CONTROLLER_QUORUM_VOTERS ?? '')
      expect(voter, 'KAFKA_CONTROLLER_QUORUM_VOTERS').not.toBeNull()
      expect(voter?.[1]).toBe(String(env.KAFKA_NODE_ID))
      expect(voter?.[2]).toBe('kafka')
      expect(Number(voter?.[3])).toBe(controller?.port)
      // every listener name has a security protocol
      const mapped = new Set((env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP ?? '').split(',').map((e) => e.split(':')[0]))
      for (const l of parseListeners(env.KAFKA_LISTENERS)) expect([...mapped], `protocol of listener ${l.name}`).toContain(l.name)
    })

    it('advertises kafka:9092 to containers and a published localhost listener to the host', () => {
      expect(kafkaInternalListeners('kafka').map((l) => `${l.host}:${l.port}`)).toContain('kafka:9092')
      const bound = parseListeners(env.KAFKA_LISTENERS)
      const forHost = parseListeners(env.KAFKA_ADVERTISED_LISTENERS).filter((l) => l.host === 'localhost' || l.host === '127.0.0.1')
      expect(forHost.length, 'no listener advertised for the host').toBeGreaterThan(0)
      for (const l of forHost) {
        const port = bound.find((b) => b.name === l.name)?.port
        expect(port, `${l.name} is advertised but not in KAFKA_LISTENERS`).toBeDefined()
        // the host connects to the advertised port, which must be published onto the listener's port
        expect(portMappings(service('kafka'))).toContainEqual(expect.objectContaining({ published: l.port, target: port }))
      }
    })

    it('keeps its data in a volume and has a healthcheck', () => {
      expect(service('kafka').healthcheck?.test).toBeDefined()
      expect(JSON.stringify(service('kafka').healthcheck?.test)).toContain('localhost:9092')
    })
  })

  it('schema-registry stores schemas in the kafka service and listens on 8081', () => {
    const s = service('schema-registry')
    const env = envOf(s)
    for (const server of (env.SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS ?? '').split(',')) {
      const { host, port } = hostPort(server)
      expectEndpoint('SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS', host, port)
    }
    expect([...listenPorts('schema-registry')]).toContain(8081)
    expect(portMappings(s)).toContainEqual(expect.objectContaining({ published: 8081, target: 8081 }))
    expect(s.healthcheck?.test).toBeDefined()
  })

  it('postgres creates the agentfleet database, keeps it in a volume and has a healthcheck', () => {
    const s = service('postgres')
    expect(envOf(s).POSTGRES_DB).toBe('agentfleet')
    expect(asList(s.healthcheck?.test).join(' ')).toContain('pg_isready')
    expect(asList((s as { volumes?: string[] }).volumes).some((v) => v.includes('/var/lib/postgresql'))).toBe(true)
  })

  it('redis has a healthcheck', () => {
    expect(asList(service('redis').healthcheck?.test).join(' ')).toContain('redis-cli')
  })

  it('kafka-ui reads the kafka internal listener and the schema registry (Avro shown as JSON)', () => {
    const s = service('kafka-ui')
    const env = envOf(s)
    expect(env.KAFKA_CLUSTERS_0_NAME).toBe('agentfleet')
    const servers = (env.KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS ?? '').split(',')
    expect(servers.length).toBeGreaterThan(0)
    for (const server of servers) {
      const { host, port } = hostPort(server)
      expect(host).toBe('kafka')
      expect(
        kafkaInternalListeners('kafka').map((l) => l.port),
        `kafka-ui: kafka internal listener port`,
      ).toContain(port)
    }
    const registry = urlEndpoint(env.KAFKA_CLUSTERS_0_SCHEMAREGISTRY ?? '')
    expect(registry.host).toBe('schema-registry')
    expectEndpoint('KAFKA_CLUSTERS_0_SCHEMAREGISTRY', registry.host, registry.port)
    expect(Object.keys(dependsOn(s))).toEqual(expect.arrayContaining(['kafka', 'schema-registry']))
    expect(portMappings(s)).toContainEqual(expect.objectContaining({ published: 8080, target: 8080 }))
  })

  describe('AgentFleet services', () => {
    it('share one image built from the repository Dockerfile', () => {
      const images = new Set<string | undefined>()
      for (const name of AGENTFLEET_SERVICES) {
        const s = service(name)
        expect(isAgentFleet(s), `${name} has no build`).toBe(true)
        const build = typeof s.build === 'string' ? { context: s.build } : (s.build ?? {})
        expect(build.context ?? '.', name).toBe('.')
        expect(build.dockerfile ?? 'Dockerfile', name).toBe('Dockerfile')
        images.add(s.image)
      }
      expect(images.size).toBe(1)
    })

    it('have a valid configuration that listens on all interfaces', () => {
      for (const name of AGENTFLEET_SERVICES) {
        const config = configOf(name)
        expect(['0.0.0.0', '::'], `${name}: AGENTFLEET_HTTP_HOST`).toContain(config.http.host)
      }
    })

    it('point Kafka, the registry, Postgres and Redis at compose services on ports they listen on', () => {
      for (const name of AGENTFLEET_SERVICES) {
        const config = configOf(name)
        for (const broker of config.kafka.brokers) {
          const { host, port } = hostPort(broker)
          expectEndpoint(`${name} AGENTFLEET_KAFKA_BROKERS`, host, port)
        }
        for (const [key, url] of [
          ['AGENTFLEET_REGISTRY_URL', config.registryUrl],
          ['AGENTFLEET_DATABASE_URL', config.postgres.url],
          ['AGENTFLEET_REDIS_URL', config.redis.url],
        ] as const) {
          const { host, port } = urlEndpoint(url)
          expectEndpoint(`${name} ${key}`, host, port)
        }
      }
    })

    it('use the Confluent registry at its root and the database postgres creates', () => {
      for (const name of AGENTFLEET_SERVICES) {
        const config = configOf(name)
        const registry = new URL(config.registryUrl)
        if (service(registry.hostname).image?.includes('cp-schema-registry')) {
          expect(registry.pathname, `${name}: Confluent Schema Registry has no /apis/ccompat path`).toBe('/')
        }
        const db = new URL(config.postgres.url)
        const pgEnv = envOf(service(db.hostname))
        expect(db.pathname, `${name}: database name`).toBe(`/${pgEnv.POSTGRES_DB ?? pgEnv.POSTGRES_USER ?? 'postgres'}`)
        expect(decodeURIComponent(db.username), `${name}: database user`).toBe(pgEnv.POSTGRES_USER ?? 'postgres')
        if (pgEnv.POSTGRES_HOST_AUTH_METHOD !== 'trust') {
          expect(decodeURIComponent(db.password), `${name}: database password`).toBe(pgEnv.POSTGRES_PASSWORD)
        }
      }
    })

    it('agentfleet-init runs migrate, topics ensure and schemas register, stopping at the first failure', () => {
      const s = service('agentfleet-init')
      const script = [...asList(s.entrypoint), ...asList(s.command)].join(' ')
      const steps = ['migrate', 'topics ensure', 'schemas register'].map((step) => script.indexOf(step))
      for (const i of steps) expect(i).toBeGreaterThanOrEqual(0)
      expect(steps).toEqual([...steps].sort((a, b) => a - b))
      if (asList(s.entrypoint).some((e) => /(^|\/)(ba)?sh$/.test(e))) {
        expect(asList(s.entrypoint).some((e) => /^-\w*e/.test(e)) || script.includes('&&'), 'shell must stop on failure (-e or &&)').toBe(
          true,
        )
      }
      expect(s.restart ?? 'no').toBe('no')
    })

    it('the other roles wait for agentfleet-init to finish successfully and run their role', () => {
      for (const name of LONG_RUNNING_AGENTFLEET) {
        expect(dependsOn(service(name))['agentfleet-init'], name).toBe('service_completed_successfully')
      }
      expect(asList(service('agentfleet-api').command)).toEqual(['api'])
      expect(asList(service('agentfleet-projector').command)).toEqual(['projector'])
      expect(asList(service('agentfleet-workers').command)).toEqual(['workers', '--all'])
    })

    it('agentfleet-api publishes the port it listens on and checks GET /health', () => {
      const s = service('agentfleet-api')
      const port = configOf('agentfleet-api').http.port
      expect(
        portMappings(s).map((m) => m.target),
        'api port not published',
      ).toContain(port)
      expect(asList(s.healthcheck?.test).join(' ')).toContain('/health')
    })
  })

  it('every depends_on target exists, and its condition can be met', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [target, condition] of Object.entries(dependsOn(s))) {
        expect(serviceNames, `${name} depends on missing ${target}`).toContain(target)
        expect(['service_started', 'service_healthy', 'service_completed_successfully'], `${name} -> ${target}`).toContain(condition)
        if (condition === 'service_healthy') {
          const hc = service(target).healthcheck
          expect(hc?.test !== undefined && !hc.disable, `${name} waits for ${target} to be healthy, but it has no healthcheck`).toBe(true)
        }
        if (condition === 'service_completed_successfully') {
          expect(service(target).restart ?? 'no', `${target} must be one-shot`).toMatch(/^(no|on-failure.*)$/)
        }
      }
    }
  })

  it('infrastructure services have healthchecks', () => {
    for (const name of ['kafka', 'schema-registry', 'postgres', 'redis']) {
      expect(service(name).healthcheck?.test, `${name} healthcheck`).toBeDefined()
    }
  })
})

describe('Dockerfile', () => {
  it('ENTRYPOINT runs bin/agentfleet.js with node, CMD defaults to api', () => {
    expect(execForm('ENTRYPOINT')).toEqual(['node', 'bin/agentfleet.js'])
    expect(execForm('CMD')).toEqual(['api'])
    expect(existsSync(join(root, 'bin/agentfleet.js'))).toBe(true)
  })

  it('builds on node:24-slim in stages and runs as the node user', () => {
    const froms = instructions.filter((i) => i.op === 'FROM').map((i) => resolveArgs(i.args.split(/\s+/)[0] ?? ''))
    expect(froms.length).toBeGreaterThanOrEqual(2)
    for (const image of froms) expect(image).toBe('node:24-slim')
    expect(finalStage.filter((i) => i.op === 'USER').at(-1)?.args).toBe('node')
  })

  it('installs production dependencies from the lockfile before copying the sources', () => {
    const npmCi = instructions.findIndex((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args))
    expect(npmCi).toBeGreaterThan(0)
    expect(instructions[npmCi]?.args).toContain('--omit=dev')
    const before = instructions
      .slice(0, npmCi)
      .filter((i) => i.op === 'COPY')
      .map((i) => i.args)
      .join(' ')
    expect(before).toContain('package.json')
    expect(before).toContain('package-lock.json')
    expect(before).not.toMatch(/\bsrc\b/)
  })

  it('copies bin, src and schemas into the final image and exposes the default API port', () => {
    const copies = finalStage.filter((i) => i.op === 'COPY').map((i) => i.args)
    for (const dir of ['bin', 'src', 'schemas'])
      expect(
        copies.some((c) => new RegExp(`(^|\\s)${dir}/?\\s`).test(c)),
        dir,
      ).toBe(true)
    expect(copies.some((c) => c.includes('node_modules'))).toBe(true)
    const exposed = finalStage.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(/\s+/))
    expect(exposed).toContain(String(configSchema.shape.AGENTFLEET_HTTP_PORT.parse(undefined)))
  })
})

describe('.dockerignore', () => {
  it('keeps local state out of the build context', () => {
    const ignored = readText('.dockerignore')
      .split(/\r?\n/)
      .map((l) => l.trim().replace(/^\/|\/$/g, ''))
    for (const entry of ['node_modules', '.stack', '.tools', 'dist', 'test-artifacts', '.git']) expect(ignored, entry).toContain(entry)
  })
})
