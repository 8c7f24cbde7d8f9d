/** How to start each dependency; printed with "not reachable" errors instead of a stack trace. */
export const serviceHints = {
  kafka: 'Start the local stack with `agentfleet stack up` (or `docker compose up -d kafka`), or set AGENTFLEET_KAFKA_BROKERS.',
  registry: 'Start the local stack with `agentfleet stack up` (or `docker compose up -d schema-registry`), or set AGENTFLEET_REGISTRY_URL.',
  postgres:
    'Start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` (or `docker compose up -d postgres`), or set AGENTFLEET_DATABASE_URL.',
  redis:
    'Start it with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no` (or `docker compose up -d redis`), or set AGENTFLEET_REDIS_URL.',
} as const

export type ServiceName = keyof typeof serviceHints
