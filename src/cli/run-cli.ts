import type { Command } from 'commander'
import { AppError } from '../errors.ts'
import { ConfigError } from '../config.ts'

/** Runs the CLI; known failures print one clear line (no stack trace) and exit 1. */
export async function runCli(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync([...argv])
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AppError) {
      process.stderr.write(`agentfleet: ${error.message}\n`)
      process.exit(1)
    }
    throw error
  }
}
