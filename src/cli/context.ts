import { loadConfig, type Config } from '../config.ts'
import { createLogger, type Logger } from '../infra/logger.ts'
import { connectServices, type Services } from '../infra/services.ts'

/** Config, logger and (optionally) connected services for one CLI command; closes them after. */
export async function withServices<T>(
  component: string,
  work: (s: Services) => Promise<T>,
  options: { resolveSchemas?: boolean } = {},
): Promise<T> {
  const config = loadConfig()
  const logger = createLogger(config, component)
  const services = await connectServices(config, logger, `agentfleet-${component}`, options)
  try {
    return await work(services)
  } finally {
    await services.close()
  }
}

export function configAndLogger(component: string): { config: Config; logger: Logger } {
  const config = loadConfig()
  return { config, logger: createLogger(config, component) }
}

/**
 * Resolves when the process is asked to stop: SIGINT/SIGTERM, or — for a role that `dev` forked —
 * its parent going away (the IPC channel closes even when the parent was killed).
 */
export const untilSignal = (): Promise<NodeJS.Signals | 'disconnect'> =>
  new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'))
    process.once('SIGTERM', () => resolve('SIGTERM'))
    if (process.send && !process.env.NODE_UNIQUE_ID) process.once('disconnect', () => resolve('disconnect'))
  })
