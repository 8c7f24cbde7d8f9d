import { rebuildProjection } from '../src/projections/rebuild/rebuild.ts'
import { tasksProjection } from '../src/projections/tasks/tasks.projection.ts'
import type { BenchEnv } from './bench-env.ts'
import type { Row } from './commands.bench.ts'
import { writeTaskEvents } from './projector.bench.ts'

/** A blue/green rebuild of the tasks read model from offset 0 over `count` events in the log. */
export async function benchRebuild(env: BenchEnv, log: (line: string) => void, count = 100_000): Promise<Row[]> {
  await writeTaskEvents(env, log, count)
  log('rebuilding the tasks read model from offset 0')
  const report = await rebuildProjection(env.services, 'main', tasksProjection)
  log(`  ${report.initialEvents.toLocaleString()} events in ${report.initialMs} ms; live projector held ${report.lockedMs} ms at the swap`)
  return [
    {
      figure: 'rebuild from the log (tasks)',
      value: `${report.eventsPerSecond.toLocaleString()} events/s`,
      target: '≥ 50,000 events/s',
      ok: report.eventsPerSecond >= 50_000,
    },
  ]
}
