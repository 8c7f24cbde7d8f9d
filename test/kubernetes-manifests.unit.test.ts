import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Command } from 'commander'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { poolNumberDefaults, poolNumberRules } from '../src/commands/pool/pool-limits.ts'
import { configSchema, loadConfig, type Config } from '../src/config.ts'
import { laneTopics, workerGroup } from '../src/dispatch/dispatch-topics.ts'
import { registerHealthRoutes } from '../src/http/routes/health.routes.ts'
import type { Probes } from '../src/infra/probes.ts'
import { serviceHints, type ServiceName } from '../src/infra/service-hints.ts'
import { decideScale } from '../src/workers/autoscaler.ts'

/**
 * Static checks of deploy/kubernetes (and its KEDA overlay deploy/kubernetes-keda) against the code:
 * there is no cluster in CI, so the manifests are read as YAML and compared with the config schema, the
 * CLI (parsed by the real commander program), the health routes, the dispatch naming functions and the
 * pool defaults.
 */

const root = fileURLToPath(new URL('..', import.meta.url))
const readText = (file: string): string => readFileSync(join(root, file), 'utf8')
const manifestDir = 'deploy/kubernetes'
/** The overlay that adds KEDA; a sibling, since kustomize refuses a base that contains its overlay. */
const kedaDir = 'deploy/kubernetes-keda'

// ---------------------------------------------------------------- manifests

type Labels = Record<string, string>
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }
type Probe = { httpGet?: { path: string; port: number | string } }
type Container = {
  name: string
  image: string
  command?: string[]
  args?: string[]
  ports?: { name?: string; containerPort: number }[]
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[]
  env?: EnvVar[]
  startupProbe?: Probe
  livenessProbe?: Probe
  readinessProbe?: Probe
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> }
}
type PodTemplate = {
  metadata?: { labels?: Labels }
  spec: { containers: Container[]; initContainers?: Container[]; restartPolicy?: string; terminationGracePeriodSeconds?: number }
}
type K8sObject<Spec = unknown> = {
  apiVersion: string
  kind: string
  metadata: { name: string; labels?: Labels }
  spec: Spec
  data?: Record<string, unknown>
}
type Deployment = K8sObject<{ replicas?: number; selector: { matchLabels?: Labels }; template: PodTemplate }>
type Job = K8sObject<{ template: PodTemplate }>
type Service = K8sObject<{ selector?: Labels; ports: { name?: string; port: number; targetPort?: number | string }[] }>
type KafkaTrigger = { type: string; name?: string; metadata: Record<string, unknown> }
type ScaledObject = K8sObject<{
  scaleTargetRef: { name: string; kind?: string }
  minReplicaCount?: number
  maxReplicaCount?: number
  triggers: KafkaTrigger[]
  advanced?: {
    horizontalPodAutoscalerConfig?: {
      behavior?: {
        scaleDown?: { stabilizationWindowSeconds?: number; policies?: { type: string; value: number; periodSeconds: number }[] }
      }
    }
  }
}>
type Kustomization = {
  namespace?: string
  resources?: string[]
  images?: { name: string; newName?: string; newTag?: string }[]
  patches?: { target?: { group?: string; version?: string; kind?: string; name?: string }; patch?: string; path?: string }[]
}
type JsonPatchOp = { op: string; path: string; value?: unknown }

/** The YAML files directly in `dir` (not in subfolders), split into the kustomization and the resources. */
const yamlFilesOf = (dir: string) => {
  const files = readdirSync(join(root, dir), { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort()
  const kustomizationFile = files.find((f) => /^kustomization\.ya?ml$/.test(f))
  return { files, kustomizationFile, resourceFiles: files.filter((f) => f !== kustomizationFile) }
}

const parseYaml = (where: string, text: string): unknown[] =>
  parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join('; ')}`)
    const value: unknown = doc.toJS()
    return value === null || value === undefined ? [] : [value]
  })
const parseFile = (file: string, dir = manifestDir): unknown[] => parseYaml(file, readText(join(dir, file)))

const { files: manifestFiles, kustomizationFile, resourceFiles } = yamlFilesOf(manifestDir)
const objects = resourceFiles.flatMap((file) => parseFile(file).map((obj) => ({ file, obj: obj as K8sObject })))
const kustomization = (kustomizationFile ? parseFile(kustomizationFile)[0] : {}) as Kustomization

const keda = yamlFilesOf(kedaDir)
const kedaObjects = keda.resourceFiles.flatMap((file) => parseFile(file, kedaDir).map((obj) => ({ file, obj: obj as K8sObject })))
const kedaKustomization = (keda.kustomizationFile ? parseFile(keda.kustomizationFile, kedaDir)[0] : {}) as Kustomization

const ofKind = <T extends K8sObject>(kind: string): T[] => objects.filter((o) => o.obj.kind === kind).map((o) => o.obj as T)
const one = <T extends K8sObject>(kind: string, name?: string): T => {
  const found = ofKind<T>(kind).filter((o) => name === undefined || o.metadata.name === name)
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''} in ${manifestDir}, found ${found.length}`)
  return found[0]!
}

const deployments = ofKind<Deployment>('Deployment')
const jobs = ofKind<Job>('Job')
const configMap = one<K8sObject>('ConfigMap')
const configMapData = Object.fromEntries(Object.entries(configMap.data ?? {}).map(([k, v]) => [k, v as string]))

/** Every pod template with where it comes from. */
const podTemplates: { where: string; template: PodTemplate }[] = [
  ...deployments.map((d) => ({ where: `Deployment ${d.metadata.name}`, template: d.spec.template })),
  ...jobs.map((j) => ({ where: `Job ${j.metadata.name}`, template: j.spec.template })),
]
const containersOf = (t: PodTemplate): Container[] => [...(t.spec.initContainers ?? []), ...t.spec.containers]
const allContainers = podTemplates.flatMap(({ where, template }) => containersOf(template).map((c) => ({ where: `${where}/${c.name}`, c })))

const secretRefs = allContainers.flatMap(({ c }) =>
  (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [{ env: e.name, ...e.valueFrom.secretKeyRef }] : [])),
)
const secretEnvNames = [...new Set(secretRefs.map((r) => r.env))].sort()

/** The configuration a pod gets: the ConfigMap plus (placeholder) values of the Secret's keys. */
const podConfig = (): Config => loadConfig({ ...configMapData, ...Object.fromEntries(secretEnvNames.map((k) => [k, `placeholder-${k}`])) })

const subset = (small: Labels | undefined, big: Labels | undefined): boolean =>
  Object.entries(small ?? {}).every(([k, v]) => big?.[k] === v)

// ---------------------------------------------------------------- the real CLI

/** The register functions src/cli.ts calls, found among the exports of src/cli/*.cli.ts. */
const cliModules = await Promise.all(
  readdirSync(join(root, 'src/cli'))
    .filter((f) => f.endsWith('.cli.ts'))
    .map(async (f) => (await import(pathToFileURL(join(root, 'src/cli', f)).href)) as Record<string, unknown>),
)
const exportedRegistrars = new Map(
  cliModules.flatMap((m) =>
    Object.entries(m).filter((e): e is [string, (program: Command) => void] => e[0].startsWith('register') && typeof e[1] === 'function'),
  ),
)
const registrarNames = [...readText('src/cli.ts').matchAll(/\b(register\w+)\(program\)/g)].map((m) => m[1]!)

type Invocation = { command: string; opts: Record<string, unknown>; operands: string[] }
const silent = { writeOut: () => {}, writeErr: () => {} }
const commandPath = (c: Command): string => (c.parent?.parent ? `${commandPath(c.parent)} ${c.name()}` : c.name())

/**
 * Parses `args` as `agentfleet <args>` with the program src/cli.ts builds, every action replaced by a
 * recorder: unknown commands, unknown options, missing option values and bare command groups throw.
 */
function parseCli(args: readonly string[]): Invocation {
  const program = new Command('agentfleet')
  for (const name of registrarNames) exportedRegistrars.get(name)?.(program)
  let ran: Invocation | undefined
  const prepare = (c: Command): void => {
    c.exitOverride()
    c.configureOutput(silent)
    for (const sub of c.commands) prepare(sub)
    if (c !== program && c.commands.length === 0)
      c.action((...actionArgs: unknown[]) => {
        const self = actionArgs.at(-1) as Command
        ran = { command: commandPath(self), opts: self.opts(), operands: self.args }
      })
  }
  prepare(program)
  program.parse([...args], { from: 'user' })
  if (!ran) throw new Error(`agentfleet ${args.join(' ')} ran no command`)
  return ran
}

const cliOf = (c: Container): Invocation => parseCli(c.args ?? [])
/** For lookups while the suites are collected: a bad invocation fails its own test below, not the whole file. */
const commandOf = (c: Container): Invocation | undefined => {
  try {
    return cliOf(c)
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------- tests

describe('deploy/kubernetes', () => {
  it('kustomization.yaml lists every manifest of the folder, and only those', () => {
    expect(kustomizationFile, 'no kustomization.yaml').toBeDefined()
    expect([...(kustomization.resources ?? [])].sort()).toEqual(resourceFiles)
  })

  it('the base needs no KEDA: no ScaledObject', () => {
    expect(objects.filter((o) => o.obj.apiVersion.startsWith('keda.sh/')).map((o) => o.file)).toEqual([])
  })

  it('the KEDA overlay lists the base and every manifest of its folder, in the same namespace', () => {
    expect(keda.kustomizationFile, `no kustomization.yaml in ${kedaDir}`).toBeDefined()
    expect([...(kedaKustomization.resources ?? [])].sort()).toEqual(['../kubernetes', ...keda.resourceFiles].sort())
    expect(join(kedaDir, '../kubernetes')).toBe(join(manifestDir))
    expect(kedaKustomization.namespace).toBe(kustomization.namespace)
    expect(keda.resourceFiles.length).toBeGreaterThan(0)
    for (const { file, obj } of kedaObjects) expect(obj.metadata?.name, `${kedaDir}/${file}: ${obj.kind}`).toBeTruthy()
  })

  it('every document is a named Kubernetes object', () => {
    expect(objects.length).toBeGreaterThan(0)
    for (const { file, obj } of objects) {
      expect(obj.apiVersion, file).toBeTruthy()
      expect(obj.kind, file).toBeTruthy()
      expect(obj.metadata?.name, `${file}: ${obj.kind}`).toBeTruthy()
    }
  })

  it('every container runs the AgentFleet image that kustomization.yaml pins to the package version', () => {
    const version = (JSON.parse(readText('package.json')) as { version: string }).version
    const pinned = new Map((kustomization.images ?? []).map((i) => [i.name, i]))
    for (const { where, c } of allContainers) {
      const image = pinned.get(c.image.split(':')[0]!)
      expect(image, `${where}: image ${c.image} is not in kustomization.yaml images`).toBeDefined()
      expect(image?.newTag, `${where}: tag`).toBe(version)
    }
  })

  it('every container keeps the image entrypoint and has CPU and memory requests and limits', () => {
    for (const { where, c } of allContainers) {
      expect(c.command, `${where}: command replaces the ENTRYPOINT (node bin/agentfleet.js); use args`).toBeUndefined()
      for (const kind of ['requests', 'limits'] as const)
        for (const resource of ['cpu', 'memory']) expect(c.resources?.[kind]?.[resource], `${where}: ${kind}.${resource}`).toBeTruthy()
    }
  })
})

describe('the CLI the containers run', () => {
  it('src/cli.ts registers its commands through exported register functions', () => {
    expect(registrarNames.length).toBeGreaterThan(5)
    for (const name of registrarNames) expect(exportedRegistrars.has(name), `${name} is not exported by src/cli/*.cli.ts`).toBe(true)
    // the recorder is strict: an unknown option or a bare command group fails
    expect(() => parseCli(['workers', '--pools', 'x'])).toThrow()
    expect(() => parseCli(['topics'])).toThrow()
    expect(() => parseCli(['no-such-role'])).toThrow()
  })

  it('every container args are a real command with valid options', () => {
    for (const { where, c } of allContainers) {
      expect(c.args?.length, `${where}: no args (the role is picked by args)`).toBeGreaterThan(0)
      expect(() => cliOf(c), `${where}: agentfleet ${(c.args ?? []).join(' ')}`).not.toThrow()
    }
  })

  it('every long-running role `agentfleet dev` starts has a Deployment, and every Deployment runs one', () => {
    const devRoles = [...readText('src/cli/serve.cli.ts').matchAll(/\{\s*name:\s*'[\w-]+',\s*args:\s*\[\s*'([\w-]+)'/g)].map((m) => m[1]!)
    expect(devRoles.length, 'the roles of `dev` were not found in src/cli/serve.cli.ts').toBeGreaterThanOrEqual(4)
    const deployed = deployments.flatMap((d) => d.spec.template.spec.containers.map((c) => cliOf(c).command))
    expect([...new Set(deployed)].sort()).toEqual([...new Set(devRoles)].sort())
  })

  it('the Job runs migrate, topics ensure and schemas register, in that order, and stops', () => {
    const job = one<Job>('Job')
    expect(containersOf(job.spec.template).map((c) => cliOf(c).command)).toEqual(['migrate', 'topics ensure', 'schemas register'])
    expect(['OnFailure', 'Never']).toContain(job.spec.template.spec.restartPolicy)
  })
})

describe('ConfigMap and Secret', () => {
  const schemaKeys = Object.keys(configSchema.shape)
  const defaults = configSchema.parse({}) as Record<string, unknown>
  /** must differ from the defaults in a cluster (the defaults suit a laptop) */
  const clusterAddresses = ['AGENTFLEET_HTTP_HOST', 'AGENTFLEET_KAFKA_BROKERS', 'AGENTFLEET_REGISTRY_URL']
  /** read by `agentfleet stack up` only, with a valid value that differs from the default */
  const stackOnly: Record<string, string> = {
    AGENTFLEET_STACK_DIR: '/var/tmp/stack',
    AGENTFLEET_KAFKA_VERSION: '9.9.9',
    AGENTFLEET_KAFKA_CONTROLLER_PORT: '19093',
    AGENTFLEET_KAFKA_HEAP: '2g',
    AGENTFLEET_REGISTRY_VERSION: '9.9.9',
    AGENTFLEET_REGISTRY_HEAP: '2g',
    AGENTFLEET_REGISTRY_DATABASE: 'elsewhere',
    AGENTFLEET_JAVA_HOME: '/opt/jdk',
  }

  it('every AGENTFLEET_* name in the manifests and docs/kubernetes.md, comments included, is a variable of the schema', () => {
    const texts = [...manifestFiles.map((f) => join(manifestDir, f)), ...keda.files.map((f) => join(kedaDir, f)), 'docs/kubernetes.md'].map(
      (f) => [f, readText(f)] as const,
    )
    // `AGENTFLEET_*` alone is prose; a longer name must exist
    const unknown = texts.flatMap(([file, text]) =>
      [...text.matchAll(/\bAGENTFLEET_[A-Z0-9_]*/g)]
        .filter((m) => m[0] !== 'AGENTFLEET_' && !schemaKeys.includes(m[0]))
        .map((m) => `${file}: ${m[0]}`),
    )
    expect(unknown).toEqual([])
  })

  it('every key is a variable of the config schema, with a string value', () => {
    expect(Object.keys(configMapData).length).toBeGreaterThan(0)
    for (const [key, value] of Object.entries(configMap.data ?? {})) {
      expect(schemaKeys, `${key} is not in configSchema (src/config.ts)`).toContain(key)
      expect(typeof value, `${key}: ConfigMap values must be strings (quote them)`).toBe('string')
    }
  })

  it('holds the documented defaults, apart from the cluster addresses', () => {
    for (const [key, value] of Object.entries(configMapData)) {
      expect(configSchema.shape[key as keyof typeof configSchema.shape].safeParse(value).success, `${key}=${value}`).toBe(true)
      if (!clusterAddresses.includes(key)) expect(value, key).toBe(String(defaults[key]))
    }
  })

  it('covers every variable: in the ConfigMap, from the Secret, optional and unset, or for the local stack only', () => {
    const unsetOptional = schemaKeys.filter((k) => defaults[k] === undefined)
    const base = loadConfig({})
    for (const [key, value] of Object.entries(stackOnly)) {
      const { stack, ...rest } = loadConfig({ [key]: value })
      const { stack: baseStack, ...baseRest } = base
      expect(rest, `${key} changes more than the local stack's settings`).toEqual(baseRest)
      expect(stack, `${key} does not change the local stack's settings`).not.toEqual(baseStack)
    }
    const configMapKeys = Object.keys(configMapData)
    expect(configMapKeys.filter((k) => secretEnvNames.includes(k) || k in stackOnly)).toEqual([])
    const covered = new Set([...configMapKeys, ...secretEnvNames, ...unsetOptional, ...Object.keys(stackOnly)])
    expect(schemaKeys.filter((k) => !covered.has(k))).toEqual([])
    for (const key of clusterAddresses) expect(configMapKeys).toContain(key)
    expect(configMapKeys).toContain('AGENTFLEET_TOPIC_PREFIX')
    expect(configMapKeys).toContain('AGENTFLEET_HTTP_PORT')
    expect(secretEnvNames).toEqual(['AGENTFLEET_DATABASE_URL', 'AGENTFLEET_REDIS_URL'])
  })

  it('with the Secret, is a valid configuration that listens on every interface and reaches no loopback address', () => {
    const config = podConfig()
    const imageHost = /AGENTFLEET_HTTP_HOST=(\S+)/.exec(readText('Dockerfile'))?.[1]
    expect(config.http.host).toBe(imageHost)
    const loopback = /^(127\.|localhost$|\[?::1\]?$)/
    for (const broker of config.kafka.brokers) expect(broker.split(':')[0], 'AGENTFLEET_KAFKA_BROKERS').not.toMatch(loopback)
    expect(new URL(config.registryUrl).hostname, 'AGENTFLEET_REGISTRY_URL').not.toMatch(loopback)
  })

  it('every container reads the ConfigMap and takes the credentials from one Secret, by name', () => {
    const secretNames = new Set(secretRefs.map((r) => r.name))
    expect(secretNames.size).toBe(1)
    for (const { where, c } of allContainers) {
      expect(
        (c.envFrom ?? []).map((e) => e.configMapRef?.name),
        where,
      ).toContain(configMap.metadata.name)
      for (const e of c.env ?? []) {
        expect(schemaKeys, `${where}: ${e.name}`).toContain(e.name)
        expect(e.value, `${where}: ${e.name} must come from the Secret`).toBeUndefined()
        expect(e.valueFrom?.secretKeyRef?.key, `${where}: ${e.name}`).toBe(e.name)
      }
      expect(
        (c.env ?? []).map((e) => e.name),
        where,
      ).toEqual(secretEnvNames)
    }
  })
})

describe('Deployments', () => {
  it('every selector matches its own pod labels and no other Deployment’s', () => {
    expect(deployments.length).toBeGreaterThan(0)
    for (const d of deployments) {
      const selector = d.spec.selector.matchLabels
      expect(Object.keys(selector ?? {}).length, d.metadata.name).toBeGreaterThan(0)
      expect(subset(selector, d.spec.template.metadata?.labels), `${d.metadata.name}: selector vs template labels`).toBe(true)
      for (const other of deployments)
        if (other !== d)
          expect(subset(selector, other.spec.template.metadata?.labels), `${d.metadata.name} also selects ${other.metadata.name}`).toBe(
            false,
          )
    }
  })
})

describe('API', () => {
  const api = deployments.find((d) => d.spec.template.spec.containers.some((c) => commandOf(c)?.command === 'api'))
  const container = api?.spec.template.spec.containers.find((c) => commandOf(c)?.command === 'api')
  const portOf = (port: number | string | undefined): number | undefined =>
    typeof port === 'number' ? port : container?.ports?.find((p) => p.name === port)?.containerPort

  it('listens on the port the config uses by default, and the Service targets it', () => {
    expect(api, 'no Deployment runs `api`').toBeDefined()
    const port = loadConfig({}).http.port
    expect(podConfig().http.port).toBe(port)
    expect(container?.ports?.map((p) => p.containerPort)).toContain(port)
    const service = one<Service>('Service')
    expect(subset(service.spec.selector, api?.spec.template.metadata?.labels), 'the Service does not select the API pods').toBe(true)
    expect(Object.keys(service.spec.selector ?? {}).length).toBeGreaterThan(0)
    for (const p of service.spec.ports) expect(portOf(p.targetPort ?? p.port), `Service port ${p.port}`).toBe(port)
  })

  it('probes the health routes: liveness and start-up ignore the dependencies, readiness follows them', async () => {
    const app = new Hono()
    const up: Record<string, boolean> = {}
    const probes = Object.fromEntries(
      (Object.keys(serviceHints) as ServiceName[]).map((s) => [s, async () => ({ service: s, ok: up[s] !== false, latencyMs: 1 })]),
    ) as Probes
    registerHealthRoutes(app, { probes, startedAt: Date.now() })
    const status = async (probe: Probe | undefined, down: readonly string[]): Promise<number> => {
      for (const s of Object.keys(serviceHints)) up[s] = !down.includes(s)
      return (await app.request(probe?.httpGet?.path ?? '/no-probe')).status
    }
    const all = Object.keys(serviceHints)
    const port = loadConfig({}).http.port
    for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
      expect(container?.[kind]?.httpGet, kind).toBeDefined()
      expect(portOf(container?.[kind]?.httpGet?.port), `${kind} port`).toBe(port)
    }
    expect(await status(container?.livenessProbe, all), 'liveness with every dependency down').toBe(200)
    expect(await status(container?.startupProbe, all), 'start-up with every dependency down').toBe(200)
    expect(await status(container?.readinessProbe, []), 'readiness with every dependency up').toBe(200)
    for (const s of all) expect(await status(container?.readinessProbe, [s]), `readiness with ${s} down`).toBe(503)
  })
})

describe('the workers Deployment of the base', () => {
  it('runs one primary per pool, which scales the processes itself between the pool’s minWorkers and maxWorkers', () => {
    const groups = deployments.filter((d) => d.spec.template.spec.containers.some((c) => commandOf(c)?.command === 'workers'))
    expect(groups.length).toBeGreaterThan(0)
    for (const d of groups) {
      expect(d.spec.replicas, `${d.metadata.name}: replicas`).toBe(1)
      for (const c of d.spec.template.spec.containers) {
        const i = commandOf(c)
        if (i?.command !== 'workers') continue
        expect(i.opts.pool, `${d.metadata.name}: --pool`).toBeTruthy()
        expect(i.opts.minWorkers, `${d.metadata.name}: --min-workers overrides the pool’s minWorkers`).toBeUndefined()
        expect(i.opts.maxWorkers, `${d.metadata.name}: --max-workers overrides the pool’s maxWorkers`).toBeUndefined()
      }
    }
  })
})

describe('KEDA ScaledObject (deploy/kubernetes-keda)', () => {
  const scaledObjects = kedaObjects.filter((o) => o.obj.kind === 'ScaledObject').map((o) => o.obj as ScaledObject)
  if (scaledObjects.length !== 1) throw new Error(`expected one ScaledObject in ${kedaDir}, found ${scaledObjects.length}`)
  const scaled = scaledObjects[0]!
  const target = deployments.find((d) => d.metadata.name === scaled.spec.scaleTargetRef.name)
  const workers = target?.spec.template.spec.containers.map(commandOf).find((i) => i?.command === 'workers')
  /** The JSON6902 operations the overlay applies to the target Deployment. */
  const patchOps = (kedaKustomization.patches ?? [])
    .filter((p) => (p.target?.kind ?? 'Deployment') === 'Deployment' && p.target?.name === scaled.spec.scaleTargetRef.name)
    .flatMap((p) => (p.patch === undefined ? [] : (parseYaml(`${kedaDir} patch`, p.patch)[0] as JsonPatchOp[])))
  const argsOp = patchOps.find((o) => o.path === '/spec/template/spec/containers/0/args')
  const patchedArgs = argsOp?.value as string[] | undefined
  const patched = patchedArgs ? commandOf({ name: 'patched', image: 'agentfleet', args: patchedArgs }) : undefined
  const pool = String(workers?.opts.pool)
  const prefix = podConfig().kafka.topicPrefix

  it('scales a Deployment that runs the worker group of one pool', () => {
    expect(scaled.apiVersion).toBe('keda.sh/v1alpha1')
    expect(scaled.spec.scaleTargetRef.kind ?? 'Deployment').toBe('Deployment')
    expect(target, `no Deployment ${scaled.spec.scaleTargetRef.name}`).toBeDefined()
    expect(workers, 'the target does not run `workers`').toBeDefined()
    expect(workers?.opts.all, '--all would scale every pool by one pool’s lag').toBeUndefined()
    expect(workers?.opts.pool).toBeTruthy()
  })

  it('reads the lag of the pool’s consumer group on each dispatch lane, with the default topic prefix', () => {
    expect(prefix).toBe(loadConfig({}).kafka.topicPrefix)
    const triggers = scaled.spec.triggers
    for (const t of triggers) {
      expect(t.type).toBe('kafka')
      for (const [key, value] of Object.entries(t.metadata)) expect(typeof value, `trigger metadata ${key} must be a string`).toBe('string')
      expect(t.metadata.consumerGroup).toBe(workerGroup(prefix, pool))
      expect(t.metadata.bootstrapServers).toBe(podConfig().kafka.brokers.join(','))
      // no committed offset counts from the log start, as the built-in scaler's lag probe does
      expect(t.metadata.offsetResetPolicy).toBe('earliest')
    }
    expect(triggers.map((t) => t.metadata.topic).sort()).toEqual([...laneTopics(prefix, pool)].sort())
  })

  it('uses the pool defaults: lag threshold, replica bounds, scale-down stabilization one step at a time', () => {
    for (const t of scaled.spec.triggers) expect(t.metadata.lagThreshold).toBe(String(poolNumberRules.lagThreshold.default))
    expect(scaled.spec.minReplicaCount).toBe(poolNumberRules.minWorkers.default)
    expect(scaled.spec.maxReplicaCount).toBe(poolNumberRules.maxWorkers.default)
    const scaleDown = scaled.spec.advanced?.horizontalPodAutoscalerConfig?.behavior?.scaleDown
    expect((scaleDown?.stabilizationWindowSeconds ?? 0) * 1000).toBe(poolNumberRules.scaleDownStabilizationMs.default)
    expect(scaleDown?.policies).toEqual([expect.objectContaining({ type: 'Pods', value: 1 })])
  })

  it('the overlay pins the built-in scaler of its Deployment to one worker process per pod and leaves the replicas to KEDA', () => {
    expect(patchOps, `no patch of Deployment ${scaled.spec.scaleTargetRef.name} in ${kedaDir}/kustomization.yaml`).not.toEqual([])
    // replicas would fight the HPA on every apply
    expect(patchOps).toContainEqual({ op: 'remove', path: '/spec/replicas' })
    expect(argsOp?.op).toBe('replace')
    // containers/0 is the workers container of the base
    expect(target && commandOf(target.spec.template.spec.containers[0]!)?.command).toBe('workers')
    expect(() => parseCli(patchedArgs ?? []), `agentfleet ${(patchedArgs ?? []).join(' ')}`).not.toThrow()
    expect(patched?.command).toBe('workers')
    expect(patched?.opts.pool, 'the patch keeps the pool').toBe(workers?.opts.pool)
    expect(patched?.opts.all).toBeUndefined()
    const minWorkers = Number(patched?.opts.minWorkers)
    const maxWorkers = Number(patched?.opts.maxWorkers)
    expect([minWorkers, maxWorkers]).toEqual([1, 1])
    // however large the lag and the spawned agents, the pinned group stays at one process
    const now = Date.now()
    const decision = decideScale({
      samples: [{ at: now, lag: 1_000_000, timeLagMs: 60_000 }],
      config: { ...poolNumberDefaults, minWorkers, maxWorkers },
      now,
      current: 1,
      partitions: podConfig().workers.dispatchPartitions,
      hostedAgents: 1_000,
      lastScaleUpAt: null,
      lastScaleDownAt: null,
    })
    expect(decision.desired).toBe(1)
  })

  it('gives a stopping worker pod more time than the worker shutdown deadline', () => {
    const grace = target?.spec.template.spec.terminationGracePeriodSeconds ?? 30
    expect(grace * 1000).toBeGreaterThan(podConfig().workers.shutdownMs)
  })
})
