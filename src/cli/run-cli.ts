import cluster from 'node:cluster'
import type { Command } from 'commander'
import { AppError } from '../errors.ts'
import { ConfigError } from '../config.ts'

const unknownTopic = /does not host this topic-partition|unknown topic/i

/** Runs the CLI; known failures print one clear line (no stack trace) and exit 1. */
export async function runCli(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync([...argv])
    // A role forked with an IPC channel by `dev` would be kept alive by it (cluster workers leave their own way).
    if (process.connected && !cluster.isWorker) process.disconnect()
    exitIfStillHeld()
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AppError) fail(error.message)
    // A role started before its topics exist: say what to run instead of a kafkajs stack trace.
    if (error instanceof Error && error.name.startsWith('KafkaJS') && unknownTopic.test(error.message)) {
      fail(
        `Kafka has no such topic (${error.message}). Create the topics with \`agentfleet topics ensure\` (\`agentfleet dev\` does it too), or check AGENTFLEET_TOPIC_PREFIX.`,
      )
    }
    throw error
  }
}

/**
 * The command is done and has closed what it opened, so the process should end by itself. A
 * client library can still hold a reconnect timer or socket (seen after a broker restart: the
 * projector and reactors then outlived SIGTERM until they were killed). After a grace period the
 * process exits anyway, naming what was still open.
 */
function exitIfStillHeld(graceMs = 3_000): void {
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap')
    process.stderr.write(`agentfleet: finished, but ${open.length} handle(s) were still open (${open.join(', ')}); exiting\n`)
    process.exit(process.exitCode ?? 0)
  }, graceMs).unref()
}

function fail(message: string): never {
  process.stderr.write(`agentfleet: ${message}\n`)
  process.exit(1)
}
