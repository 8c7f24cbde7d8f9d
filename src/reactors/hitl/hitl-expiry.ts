import { hitlDecider } from '../../commands/hitl/hitl.decider.ts'
import type { CommandHandler } from '../../commands/handle-command.ts'
import type { Services } from '../../infra/services.ts'

export type HitlExpiryDeps = Readonly<{
  services: Services
  execute: CommandHandler
  intervalMs: number
  clock?: () => number
  batch?: number
}>

/**
 * Expires pending HITL requests whose deadline passed. Safe with several instances: every one
 * issues the same command (same command id) and the decider turns all but the first into no-ops;
 * a request the read model still shows pending but that was answered meanwhile is left alone.
 */
export function startHitlExpiry(deps: HitlExpiryDeps): { stop: () => Promise<void> } {
  const { db, logger } = deps.services
  const log = logger.child({ part: 'hitl-expiry' })
  const clock = deps.clock ?? Date.now
  let stopped = false
  let running: Promise<void> = Promise.resolve()

  const tick = async () => {
    const now = clock()
    const due = await db
      .selectFrom('hitl_requests')
      .select('id')
      .where('status', '=', 'pending')
      .where('expires_at', '<=', new Date(now))
      .orderBy('expires_at')
      .limit(deps.batch ?? 100)
      .execute()
    for (const { id } of due) {
      if (stopped) return
      const ctx = { commandId: `expire:${id}`, correlationId: id, causationId: null, actor: 'hitl-expiry' }
      const result = await deps.execute('hitl', id, hitlDecider, { type: 'ExpireHitlRequest', now, onlyIfDue: true }, ctx)
      if (result.events.length > 0) log.info({ requestId: id }, 'HITL request expired')
    }
  }
  const timer = setInterval(() => {
    running = running.then(tick).catch((error: unknown) => log.warn({ err: error }, 'HITL expiry pass failed; retrying next tick'))
  }, deps.intervalMs)

  return {
    stop: async () => {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
