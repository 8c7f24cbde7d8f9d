import { sql } from 'kysely'
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration'
import { withSchemaDdlLock } from './ddl-lock.ts'
import type { Db } from './schema.ts'
import * as m0001 from './migrations/0001-runner.ts'
import * as m0002 from './migrations/0002-tasks.ts'
import * as m0003 from './migrations/0003-task-read-models.ts'
import * as m0004 from './migrations/0004-dependency-manager.ts'
import * as m0010 from './migrations/0010-agents.ts'
import * as m0011 from './migrations/0011-pools.ts'
import * as m0070 from './migrations/0070-queue-stats.ts'
import * as m0071 from './migrations/0071-metrics-snapshots.ts'
import * as m0020 from './migrations/0020-dead-letters.ts'
import * as m0030 from './migrations/0030-hitl-requests.ts'
import * as m0031 from './migrations/0031-projects.ts'
import * as m0032 from './migrations/0032-workflows.ts'
import * as m0060 from './migrations/0060-worker-processes.ts'
import * as m0080 from './migrations/0080-projector-groups.ts'
import * as m0081 from './migrations/0081-reactor-tables.ts'
import * as m0082 from './migrations/0082-projector-log-identity.ts'
import * as m0083 from './migrations/0083-worker-heartbeats.ts'
import * as m0084 from './migrations/0084-pool-health.ts'
import * as m0085 from './migrations/0085-pool-mode.ts'
import * as m0086 from './migrations/0086-task-attempts-by-agent.ts'

/** Migrations are listed explicitly: no directory scanning, works the same from sources or dist. */
const migrations: Record<string, Migration> = {
  '0001-runner': m0001,
  '0002-tasks': m0002,
  '0003-task-read-models': m0003,
  '0004-dependency-manager': m0004,
  '0010-agents': m0010,
  '0011-pools': m0011,
  '0070-queue-stats': m0070,
  '0071-metrics-snapshots': m0071,
  '0020-dead-letters': m0020,
  '0030-hitl-requests': m0030,
  '0031-projects': m0031,
  '0032-workflows': m0032,
  '0060-worker-processes': m0060,
  '0080-projector-groups': m0080,
  '0081-reactor-tables': m0081,
  '0082-projector-log-identity': m0082,
  '0083-worker-heartbeats': m0083,
  '0084-pool-health': m0084,
  '0085-pool-mode': m0085,
  '0086-task-attempts-by-agent': m0086,
}

export function migrateToLatest(db: Db, schema: string): Promise<MigrationResultSet> {
  return withSchemaDdlLock(db, () => migrate(db, schema))
}

async function migrate(db: Db, schema: string): Promise<MigrationResultSet> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db)
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
    // Migrations are numbered per area (tasks 0003-0009, agents/pools 0010-0019, ...): a newer area's
    // migration may sort before one already applied.
    allowUnorderedMigrations: true,
  })
  return migrator.migrateToLatest()
}
