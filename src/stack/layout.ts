import path from 'node:path'
import type { Config } from '../config.ts'
import { AppError } from '../errors.ts'

/** Where each part of the local stack keeps its files; all absolute so pid markers are stable. */
export type StackLayout = Readonly<{
  root: string
  kafkaHome: string
  kafkaLibs: string
  kafkaConfigDir: string
  kafkaData: string
  registryHome: string
  logs: string
  run: string
}>

export function stackLayout(config: Pick<Config, 'stack'>, cwd: string): StackLayout {
  const root = path.resolve(cwd, config.stack.dir)
  const kafkaHome = path.join(root, `kafka-${config.stack.kafkaVersion}`)
  return {
    root,
    kafkaHome,
    kafkaLibs: path.join(kafkaHome, 'libs'),
    kafkaConfigDir: path.join(root, 'config', 'kafka'),
    kafkaData: path.join(root, 'data', 'kafka'),
    registryHome: path.join(root, `registry-${config.stack.registryVersion}`),
    logs: path.join(root, 'logs'),
    run: path.join(root, 'run'),
  }
}

export type Endpoint = Readonly<{ host: string; port: number }>

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0'])

/** The stack only runs servers on this machine; a remote address in config is a mistake worth naming. */
export const isLocalHost = (host: string): boolean => LOCAL_HOSTS.has(host.toLowerCase())

/** `host:port` of the first bootstrap server (the one the local broker serves). */
export function kafkaEndpoint(config: Pick<Config, 'kafka'>): Endpoint {
  const first = config.kafka.brokers[0]
  const match = first ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(first) : null
  if (!match) {
    throw new AppError('stack.config', `AGENTFLEET_KAFKA_BROKERS must start with host:port, got "${first ?? ''}"`)
  }
  const endpoint = { host: match[1] as string, port: Number(match[2]) }
  if (!isLocalHost(endpoint.host)) {
    throw new AppError('stack.config', `AGENTFLEET_KAFKA_BROKERS points to ${first}; the local stack only serves 127.0.0.1`)
  }
  return endpoint
}

export function registryEndpoint(config: Pick<Config, 'registryUrl'>): Endpoint & { readyUrl: string } {
  const url = new URL(config.registryUrl)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (!isLocalHost(host)) {
    throw new AppError('stack.config', `AGENTFLEET_REGISTRY_URL points to ${url.host}; the local stack only serves 127.0.0.1`)
  }
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
  return { host, port, readyUrl: `${config.registryUrl}/config` }
}

/** Host and port of a postgres:// or redis:// URL, for probes and messages. */
export function urlEndpoint(raw: string, defaultPort: number): Endpoint {
  const url = new URL(raw)
  return { host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: url.port ? Number(url.port) : defaultPort }
}
