import type { Kysely } from 'kysely'

/** The dependency reactor's own tables are named after it (they were named after "process managers"). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pm_task_outcomes').renameTo('reactor_task_outcomes').execute()
  await db.schema.alterTable('pm_dependency_edges').renameTo('reactor_dependency_edges').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('reactor_task_outcomes').renameTo('pm_task_outcomes').execute()
  await db.schema.alterTable('reactor_dependency_edges').renameTo('pm_dependency_edges').execute()
}
