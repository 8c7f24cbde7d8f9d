import { sql, type Kysely } from 'kysely'

/** Who runs a pool's tasks: its worker group (`workers`) or remote agents claiming over HTTP (`pull`). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('pools')
    .addColumn('mode', 'text', (c) => c.notNull().defaultTo(sql`'workers'`))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pools').dropColumn('mode').execute()
}
