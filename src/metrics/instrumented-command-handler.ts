import type { CommandHandler } from '../commands/handle-command.ts'
import { AppError } from '../errors.ts'
import type { ApiMetrics } from './api-metrics.ts'

/** A refusal the caller caused (domain rule, bad input, not found), as opposed to a failure. */
const outcomeOf = (error: unknown): 'rejected' | 'failed' => (error instanceof AppError && !error.retriable ? 'rejected' : 'failed')

/** Decorates the command handler with rate and latency by aggregate, command type and outcome. */
export function instrumentCommandHandler(
  execute: CommandHandler,
  metrics: ApiMetrics,
  clock: () => number = performance.now.bind(performance),
): CommandHandler {
  const observe = (aggregate: string, command: string, outcome: string, started: number) => {
    const labels = { aggregate, command, outcome }
    metrics.commands.inc(labels)
    metrics.commandSeconds.observe(labels, (clock() - started) / 1000)
  }
  const instrumented: CommandHandler = async (aggregate, aggregateId, decider, command, ctx, options) => {
    const started = clock()
    const type = (command as { type?: unknown }).type
    const name = typeof type === 'string' ? type : 'unknown'
    try {
      const result = await execute(aggregate, aggregateId, decider, command, ctx, options)
      observe(aggregate, name, result.events.length === 0 ? 'noop' : 'ok', started)
      return result
    } catch (error) {
      observe(aggregate, name, outcomeOf(error), started)
      throw error
    }
  }
  return instrumented
}
