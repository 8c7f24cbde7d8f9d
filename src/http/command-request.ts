import type { Context } from 'hono'
import type { CommandContext } from '../commands/handle-command.ts'
import { ValidationError } from '../errors.ts'
import { idFromKey, newId } from '../infra/ids.ts'
import type { CommandIds, IdempotencyStore, IdempotentOutcome } from './idempotency.ts'

const idempotencyKey = /^[A-Za-z0-9_.:-]{1,200}$/

/**
 * Runs a request's command work at most once per Idempotency-Key. With a key, the command and
 * aggregate ids derive from the key: a repeat reaches the same aggregate with the same command id
 * — which the decider recognises — even when the idempotency cache (Redis) has lost the key; so
 * keyed work always runs as "may exist" (no fresh-id shortcut). Without a key, ids are fresh.
 */
export async function runCommandRequest(
  c: Context,
  idempotency: IdempotencyStore,
  work: (ids: CommandIds, ctx: CommandContext, mayExist: boolean) => Promise<IdempotentOutcome>,
  fixedAggregateId?: string,
): Promise<IdempotentOutcome & { replayed: boolean }> {
  const key = c.req.header('idempotency-key')
  if (key !== undefined && !idempotencyKey.test(key))
    throw new ValidationError('Idempotency-Key must be 1-200 characters of letters, digits, _ . : -')
  const correlationId = c.req.header('x-correlation-id') ?? (c.get('requestId' as never) as string | undefined) ?? newId()
  const context = (ids: CommandIds): CommandContext => ({ commandId: ids.commandId, correlationId, causationId: null, actor: 'api' })
  if (key === undefined) {
    const ids = { commandId: newId(), aggregateId: fixedAggregateId ?? newId() }
    return { ...(await work(ids, context(ids), false)), replayed: false }
  }
  const scope = `${c.req.method} ${c.req.path}`
  const keyed = (): CommandIds => ({
    commandId: `key-${idFromKey(scope, key, 'command')}`,
    aggregateId: fixedAggregateId ?? idFromKey(scope, key, 'aggregate'),
  })
  return idempotency.run(scope, key, `${scope} ${await c.req.text()}`, keyed, (ids) => work(ids, context(ids), true))
}
