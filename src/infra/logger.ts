import { pino, type Logger } from 'pino'
import type { Config } from '../config.ts'

export type { Logger }

/** Structured JSON logs; `component` tells which process role wrote the line. */
export function createLogger(config: Pick<Config, 'logLevel'>, component: string): Logger {
  return pino({ level: config.logLevel, base: { component }, timestamp: pino.stdTimeFunctions.isoTime })
}
