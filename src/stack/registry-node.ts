import path from 'node:path'
import type { Config } from '../config.ts'
import { jdbcUrl, parseDatabaseUrl } from './databases.ts'
import { initialHeap } from './kafka-config.ts'
import { registryEndpoint, type StackLayout } from './layout.ts'
import { fetchRegistry } from './maven-fetch.ts'
import type { StackPart } from './part.ts'
import { httpOk } from './endpoint-probes.ts'

export type RegistryNodeDeps = Readonly<{ config: Pick<Config, 'registryUrl' | 'postgres' | 'stack'>; layout: StackLayout }>

/** Environment of the Apicurio Quarkus app: SQL storage in its own Postgres database, HTTP on the configured port. */
export function registryEnv(config: RegistryNodeDeps['config'], host: string, port: number): Record<string, string> {
  const pg = parseDatabaseUrl(config.postgres.url)
  return {
    APICURIO_STORAGE_KIND: 'sql',
    APICURIO_STORAGE_SQL_KIND: 'postgresql',
    APICURIO_DATASOURCE_URL: jdbcUrl(pg, config.stack.registryDatabase),
    APICURIO_DATASOURCE_USERNAME: pg.user,
    APICURIO_DATASOURCE_PASSWORD: pg.password,
    // The default pool holds 20 Postgres connections; a handful serves a local registry.
    APICURIO_DATASOURCE_JDBC_INITIAL_SIZE: '1',
    APICURIO_DATASOURCE_JDBC_MIN_SIZE: '1',
    APICURIO_DATASOURCE_JDBC_MAX_SIZE: '5',
    QUARKUS_HTTP_PORT: String(port),
    QUARKUS_HTTP_HOST: host,
    // Quarkus' management interface (health, metrics) would bind 0.0.0.0:9000: a second fixed port
    // to collide on and an open one. Loopback and a free port instead; nothing of ours uses it.
    QUARKUS_MANAGEMENT_HOST: '127.0.0.1',
    QUARKUS_MANAGEMENT_PORT: '0',
  }
}

/** Apicurio Registry, whose Confluent-compatible API (ccompat/v7) is what AgentFleet talks to. */
export function registryNode({ config, layout }: RegistryNodeDeps): StackPart {
  const { host, port, readyUrl } = registryEndpoint(config)
  const version = config.stack.registryVersion
  const markers = [`-Dagentfleet.stack=${layout.root}`, '-Dagentfleet.part=registry']

  return {
    name: 'registry',
    label: 'schema registry',
    product: `Apicurio Registry ${version}`,
    endpoint: config.registryUrl,
    pidFile: path.join(layout.run, 'registry.pid'),
    logFile: path.join(layout.logs, 'registry.log'),
    ports: [{ host, port, setting: 'AGENTFLEET_REGISTRY_URL' }],
    markers,
    readyTimeoutMs: 120_000,

    async prepare(_java, task) {
      await fetchRegistry(layout.registryHome, version, () => task.update(`downloading Apicurio ${version} (~160 MB, first run)`))
    },

    launchSpec(java) {
      const heap = config.stack.registryHeap
      return {
        command: java.bin,
        // Serial GC: a small heap and one client; G1's threads would only cost memory.
        args: [
          `-Xms${initialHeap(heap)}`,
          `-Xmx${heap}`,
          '-XX:+UseSerialGC',
          '-XX:+ExitOnOutOfMemoryError',
          ...markers,
          '-jar',
          'quarkus-run.jar',
        ],
        cwd: layout.registryHome,
        env: { ...process.env, ...(java.home ? { JAVA_HOME: java.home } : {}), ...registryEnv(config, host, port) },
      }
    },

    isReady: () => httpOk(readyUrl),
  }
}
