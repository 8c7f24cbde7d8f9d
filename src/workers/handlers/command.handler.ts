import { NonRetriableError } from '../../errors.ts'
import type { Handler } from './handler.ts'
import { runInProcessGroup } from './process-group.ts'

const maxOutput = 1_048_576

/**
 * Runs `handlerConfig.command` with `args` (no shell); `{payload}` in an argument is replaced by
 * the payload as JSON, which is also written to stdin. The command runs in a process group of its
 * own: cancel, timeout or shutdown kill the whole group, and so does the worker's death, even by
 * SIGKILL (see process-group.ts), so no command outlives the attempt it belongs to.
 * Exit 0 → { exitCode, stdout, stderr }; another exit code fails the attempt (retryable).
 */
export const commandHandler: Handler = async (ctx) => {
  const command = ctx.config.command
  if (typeof command !== 'string') throw new NonRetriableError('the command handler needs handlerConfig.command')
  const payload = JSON.stringify(ctx.payload ?? null)
  const args = ((ctx.config.args as string[] | undefined) ?? []).map((a) => a.replaceAll('{payload}', payload))
  const timeoutMs = typeof ctx.config.timeoutMs === 'number' ? ctx.config.timeoutMs : 0
  const run = runInProcessGroup({
    command,
    args,
    cwd: ctx.config.cwd as string | undefined,
    input: payload,
    signal: ctx.signal,
    timeoutMs,
    maxOutput,
  })
  ctx.log.debug({ pid: run.pid, command }, 'command started')
  const { stdout, stderr, code, signal, failure } = await run.done
  if (failure === undefined && code === 0) return { exitCode: 0, stdout, stderr }
  if (failure === 'ENOENT') throw new NonRetriableError(`command not found: ${command}`)
  throw Object.assign(new Error(`${command} failed (${failure ?? code ?? signal ?? 'error'}): ${stderr.slice(-2_000)}`), { stdout, stderr })
}
