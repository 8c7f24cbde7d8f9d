import { OpenAPIHono } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import type { CommandHandler } from '../commands/handle-command.ts'
import type { Config } from '../config.ts'
import { AppError, ValidationError } from '../errors.ts'
import type { Admin, Kafka } from 'kafkajs'
import type { EventCodec } from '../events/avro-codec.ts'
import type { Logger } from '../infra/logger.ts'
import type { Redis } from '../infra/redis.ts'
import type { Db } from '../infra/postgres.ts'
import type { Probes } from '../infra/probes.ts'
import type { IdempotencyStore } from './idempotency.ts'
import { problemResponse, statusOf } from './problem-details.ts'
import { registerHealthRoutes } from './routes/health.routes.ts'
import { documentOperationalPaths } from './docs/operational-paths.ts'
import { registerTaskRoutes } from './routes/tasks.routes.ts'
import { createPoolGate } from './pool-gate.ts'
import { createHeartbeatStore } from '../presence/heartbeat-store.ts'
import { registerAgentLifecycleRoutes } from './routes/agent-lifecycle.routes.ts'
import { registerAgentRoutes } from './routes/agents.routes.ts'
import { registerPoolRoutes } from './routes/pools.routes.ts'
import { registerDashboardRoutes } from './routes/dashboard.routes.ts'
import { registerDocsRoutes } from './routes/docs.routes.ts'
import { registerWorkerRoutes } from './routes/workers.routes.ts'
import type { ApiMetrics } from '../metrics/api-metrics.ts'
import type { LagReport } from '../metrics/lag-collector.ts'
import { httpMetrics } from '../metrics/http-metrics.middleware.ts'
import type { StreamHub } from '../stream/stream-hub.ts'
import { registerMetricsRoutes } from './routes/metrics.routes.ts'
import { registerStreamRoutes } from './routes/stream.routes.ts'
import { registerQueueStatsRoutes } from './routes/queue-stats.routes.ts'
import { registerSystemRoutes } from './routes/system.routes.ts'
import { configuredPlacements } from '../projections/projector.ts'
import { createVersionWaiter, type ProjectionChanges } from '../projections/read-your-writes.ts'
import { registerQueueRoutes } from './routes/queue.routes.ts'
import { registerDeadLetterRoutes } from './routes/dead-letters.routes.ts'
import { registerHitlRoutes } from './routes/hitl.routes.ts'
import { registerProjectRoutes } from './routes/projects.routes.ts'
import { registerWorkflowRoutes } from './routes/workflows.routes.ts'
import type { AppendHealth } from '../eventstore/append-health.ts'

export type AppDeps = Readonly<{
  config: Config
  logger: Logger
  db: Db
  redis: Redis
  kafka: Kafka
  admin: Admin
  codec: EventCodec
  execute: CommandHandler
  idempotency: IdempotencyStore
  probes: Probes
  /** the live event stream; without it /api/v1/stream is not served */
  stream?: StreamHub
  /** Prometheus registry and lag source; without them /metrics is not served */
  metrics?: Readonly<{ api: ApiMetrics; lag: () => Promise<LagReport> }>
  /** projector commits, so that reads with ?minVersion= re-check as soon as they land (they poll without it) */
  projectionChanges?: ProjectionChanges
  /** this process's append outcomes, for readiness */
  appends?: AppendHealth
}>

const issuesOf = (error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }) =>
  error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message }))

/** The HTTP API: every error leaves as application/problem+json, through one handler. */
export function createApp(deps: AppDeps): OpenAPIHono {
  const waitForVersion = createVersionWaiter({ waitMs: deps.config.readWaitMs, changes: deps.projectionChanges, db: deps.db })
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issues = issuesOf(result.error)
        return problemResponse(c, new ValidationError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), { issues }))
      }
    },
  })
  app.use('*', requestId())
  if (deps.metrics) app.use('*', httpMetrics(deps.metrics.api))
  app.use('*', cors({ origin: [...deps.config.http.corsOrigins], exposeHeaders: ['idempotent-replayed', 'x-request-id'] }))
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: deps.config.http.bodyLimit,
      onError: (c) => problemResponse(c, new AppError('request.too-large', `the body exceeds ${deps.config.http.bodyLimit} bytes`)),
    }),
  )
  app.use('/api/*', async (c, next) => {
    const type = c.req.header('content-type')
    if (['POST', 'PUT', 'PATCH'].includes(c.req.method) && type && !type.startsWith('application/json')) {
      return problemResponse(c, new AppError('request.unsupported-media-type', 'send the body as application/json'))
    }
    await next()
  })

  registerHealthRoutes(app, { probes: deps.probes, db: deps.db, appends: deps.appends, startedAt: Date.now() })
  documentOperationalPaths(app, { metrics: deps.metrics !== undefined })
  const pools = createPoolGate({ db: deps.db, readWaitMs: deps.config.readWaitMs })
  registerTaskRoutes(app, {
    pools,
    execute: deps.execute,
    db: deps.db,
    idempotency: deps.idempotency,
    readWaitMs: deps.config.readWaitMs,
    waitForVersion,
  })
  const heartbeats = createHeartbeatStore({
    redis: deps.redis,
    prefix: deps.config.redis.prefix,
    timeoutMs: deps.config.agents.heartbeatTimeoutMs,
  })
  registerAgentLifecycleRoutes(app, { execute: deps.execute, db: deps.db, idempotency: deps.idempotency, heartbeats })
  registerAgentRoutes(app, { execute: deps.execute, db: deps.db, idempotency: deps.idempotency, heartbeats, waitForVersion })
  registerPoolRoutes(app, { execute: deps.execute, db: deps.db, idempotency: deps.idempotency, waitForVersion })
  registerWorkerRoutes(app, { db: deps.db })
  if (deps.stream) registerStreamRoutes(app, { stream: deps.stream })
  if (deps.metrics) registerMetricsRoutes(app, { metrics: deps.metrics.api, lag: deps.metrics.lag })
  registerQueueStatsRoutes(app, { db: deps.db, clock: Date.now })
  registerSystemRoutes(app, { db: deps.db, placements: configuredPlacements(deps.config), clock: Date.now })
  registerQueueRoutes(app, {
    pools,
    execute: deps.execute,
    redis: deps.redis,
    prefix: deps.config.redis.prefix,
    idempotency: deps.idempotency,
    logger: deps.logger,
    leaseMs: deps.config.queue.leaseMs,
    maxWaitS: deps.config.queue.maxWaitS,
    retryPolicy: { baseMs: deps.config.retry.baseMs, maxMs: deps.config.retry.maxMs },
  })
  registerDeadLetterRoutes(app, { execute: deps.execute, db: deps.db, idempotency: deps.idempotency })
  registerHitlRoutes(app, { execute: deps.execute, db: deps.db, idempotency: deps.idempotency, waitForVersion })
  registerProjectRoutes(app, { execute: deps.execute, db: deps.db, idempotency: deps.idempotency, waitForVersion })
  registerWorkflowRoutes(app, { execute: deps.execute, db: deps.db, idempotency: deps.idempotency, waitForVersion, pools })

  app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 'AgentFleet API', version: '1' } })
  registerDashboardRoutes(app)
  registerDocsRoutes(app)
  app.notFound((c) => problemResponse(c, new AppError('route.not-found', `no route for ${c.req.method} ${c.req.path}`)))
  app.onError((error, c) => {
    if (error instanceof SyntaxError || (error instanceof HTTPException && error.status === 400)) {
      return problemResponse(c, new ValidationError(`the body is not valid JSON: ${error.message}`))
    }
    const status = statusOf(error)
    const where = { path: c.req.path, requestId: c.get('requestId') }
    // Expected, retriable refusals (dependency down, read model behind) are warnings, not crashes.
    if (status === 503 && error instanceof AppError) deps.logger.warn({ ...where, code: error.code }, error.message)
    else if (status >= 500) deps.logger.error({ ...where, err: error }, 'request failed')
    return problemResponse(c, error)
  })
  return app
}
