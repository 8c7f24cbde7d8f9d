import type { Logger } from '../infra/logger.ts'

export type Loop = Readonly<{ stop: () => Promise<void> }>

/**
 * Runs `run` every `intervalMs`, never two at once; a failed run is logged and the next one
 * comes on schedule. `stop` waits for the run in progress.
 */
export function startLoop(deps: { name: string; intervalMs: number; run: () => Promise<unknown>; logger: Logger }): Loop {
  let stopped = false
  let current: Promise<unknown> = Promise.resolve()
  let timer: NodeJS.Timeout | undefined
  const tick = () => {
    current = deps
      .run()
      .catch((error: unknown) => deps.logger.warn({ err: error, loop: deps.name }, 'loop run failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, deps.intervalMs)
      })
  }
  timer = setTimeout(tick, 0)
  return {
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await current
    },
  }
}
