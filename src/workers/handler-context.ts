import type { ExistingTask } from '../commands/task/task.state.ts'
import type { Logger } from '../infra/logger.ts'
import type { HandlerContext } from './handlers/handler.ts'

export type HandlerContextDeps = Readonly<{
  taskId: string
  pool: string
  /** the task as StartTask left it */
  state: ExistingTask
  config: Readonly<Record<string, unknown>>
  signal: AbortSignal
  log: Logger
  /** ReportTaskProgress under the run's lease epoch */
  reportProgress: (percent: number, message: string | null) => Promise<void>
  /** raises the HITL request and parks the task on it; resolves with the request's id */
  raiseInput: (question: string, choices: readonly string[] | null, context: unknown) => Promise<string>
}>

/**
 * What a handler gets for one run, and `parked`: resolves with the request id once the handler
 * asked for input, which ends the run (the answer dispatches the task again).
 */
export function createHandlerContext(deps: HandlerContextDeps): { context: HandlerContext; parked: Promise<string> } {
  let park: ((requestId: string) => void) | undefined
  const parked = new Promise<string>((resolve) => {
    park = resolve
  })
  const payload = JSON.parse(deps.state.payload) as unknown
  const context: HandlerContext = {
    taskId: deps.taskId,
    pool: deps.pool,
    attempt: deps.state.attempt,
    config: deps.config,
    signal: deps.signal,
    log: deps.log,
    payload,
    inputs: deps.state.inputs.map((i) => ({ requestId: i.requestId, response: JSON.parse(i.response) as unknown })),
    progress: (percent, message) => deps.reportProgress(Math.round(percent), message ?? null),
    requestInput: async (question, options) => {
      park!(await deps.raiseInput(question, options?.choices ?? null, payload))
      return new Promise<never>(() => undefined)
    },
  }
  return { context, parked }
}
