import { defineConfig } from 'vitest/config'

/**
 * Two layers: `unit` (pure, parallel, no network) and `int` (the real Kafka, registry,
 * Postgres and Redis; the int project runs `agentfleet stack up` first, a no-op when it runs). Each integration test owns its
 * topic prefix, Postgres schema and Redis key prefix.
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/**/*.unit.test.ts'] } },
      {
        test: {
          name: 'int',
          include: ['test/**/*.int.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          maxWorkers: 2,
          setupFiles: ['test/support/setup-int.ts'],
          globalSetup: ['test/support/stack-up.ts'],
        },
      },
    ],
  },
})
