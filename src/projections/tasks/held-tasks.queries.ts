import type { Db } from '../../infra/postgres.ts'

export type HeldTask = Readonly<{ id: string; leaseEpoch: number; holder: string | null }>

/**
 * Tasks the read model shows claimed or running, unchanged since `before`: candidates for a
 * run lease that was never granted (a holder that died between starting and granting) or lost.
 */
export async function heldTasksUnchangedSince(db: Db, before: Date, limit: number): Promise<HeldTask[]> {
  const rows = await db
    .selectFrom('tasks')
    .select(['id', 'lease_epoch', 'agent_id'])
    .where('status', 'in', ['claimed', 'running'])
    .where('updated_at', '<', before)
    .orderBy('updated_at')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ id: r.id, leaseEpoch: r.lease_epoch, holder: r.agent_id }))
}
