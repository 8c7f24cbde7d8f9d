import { Command } from 'commander'
import { registerInspectCommand } from './cli/inspect.cli.ts'
import { registerHealthMonitorCommand } from './cli/health-monitor.cli.ts'
import { registerOpsCommands } from './cli/ops.cli.ts'
import { registerRebuildCommand } from './cli/rebuild.cli.ts'
import { registerReplayCommand } from './cli/replay.cli.ts'
import { silenceKnownWarnings } from './infra/known-warnings.ts'
import { runCli } from './cli/run-cli.ts'
import { registerServeCommands } from './cli/serve.cli.ts'
import { registerStackCommands } from './cli/stack.cli.ts'
import { registerSystemCommands } from './cli/system.cli.ts'
import { registerLoopsCommand } from './cli/loops.cli.ts'
import { registerQueueCommands } from './cli/queue.cli.ts'
import { registerDlqCommands } from './cli/dlq.cli.ts'
import { registerWorkersCommands } from './cli/workers.cli.ts'
import { registerVerifyCommand } from './cli/verify.cli.ts'
import { registerNamespaceCommands } from './cli/namespace.cli.ts'

silenceKnownWarnings()

const program = new Command('agentfleet')
  .description('AgentFleet: event-sourced control plane for fleets of automation and AI agents')
  .showHelpAfterError()

registerServeCommands(program)
registerHealthMonitorCommand(program)
registerStackCommands(program)
registerOpsCommands(program)
registerInspectCommand(program)
registerReplayCommand(program)
registerRebuildCommand(program)
registerVerifyCommand(program)
registerNamespaceCommands(program)
registerSystemCommands(program)
registerQueueCommands(program)
registerLoopsCommand(program)
registerDlqCommands(program)
registerWorkersCommands(program)

await runCli(program, process.argv)
