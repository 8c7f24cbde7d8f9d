import { sql } from 'kysely'
import type { Db } from '../database/schema.ts'
import type { ProjectorGroup } from './group-apply.ts'
import { ownedTables } from './projection.ts'

/**
 * Empties a projector group's read models and forgets its positions, stream heads, conflicts and
 * log identity, in one transaction: the group's projector then folds the log again from offset
 * 0 (events are kept forever). The way out for read models that do not belong to the log they
 * read (another cluster, a topic created again, a restore). A running projector of the group
 * waits on the table locks and then finds no checkpoints: it starts over from the beginning.
 */
export async function resetGroup(db: Db, group: ProjectorGroup): Promise<{ tables: readonly string[] }> {
  const tables = group.projections.flatMap((p) => ownedTables(p))
  await db.transaction().execute(async (tx) => {
    await sql`truncate ${sql.join(tables.map((t) => sql.table(t)))}`.execute(tx)
    for (const table of ['projector_checkpoints', 'projector_stream_heads', 'projector_log_identity', 'event_conflicts'] as const)
      await tx.deleteFrom(table).where('consumer', '=', group.consumer).execute()
  })
  return { tables }
}
