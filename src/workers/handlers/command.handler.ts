import { execFile } from 'node:child_process'
import { NonRetriableError } from '../../errors.ts'
import type { Handler } from './handler.ts'

const maxOutput = 1_048_576

/**
 * Runs `handlerConfig.command` with `args` (no shell); `{payload}` in an argument is replaced by
 * the payload as JSON, which is also written to stdin. Killed on cancel, timeout or shutdown.
 * Exit 0 → { exitCode, stdout, stderr }; another exit code fails the attempt (retryable).
 */
export const commandHandler: Handler = (ctx) => {
  const command = ctx.config.command
  if (typeof command !== 'string') return Promise.reject(new NonRetriableError('the command handler needs handlerConfig.command'))
  const payload = JSON.stringify(ctx.payload ?? null)
  const args = ((ctx.config.args as string[] | undefined) ?? []).map((a) => a.replaceAll('{payload}', payload))
  const timeout = typeof ctx.config.timeoutMs === 'number' ? ctx.config.timeoutMs : 0
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { signal: ctx.signal, timeout, maxBuffer: maxOutput, killSignal: 'SIGKILL', cwd: ctx.config.cwd as string | undefined },
      (error, stdout, stderr) => {
        if (!error) return resolve({ exitCode: 0, stdout, stderr })
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new NonRetriableError(`command not found: ${command}`))
        reject(
          Object.assign(new Error(`${command} failed (${error.code ?? error.signal ?? 'error'}): ${stderr.slice(-2_000)}`), {
            stdout,
            stderr,
          }),
        )
      },
    )
    child.stdin?.end(payload)
    ctx.log.debug({ pid: child.pid, command }, 'command started')
  })
}
