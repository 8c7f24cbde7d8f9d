import { readSideEffects } from '../side-effects.ts'
import { childrenOf, commandLine, isAlive, parentOf, pidsWithCommandLine } from '../proc.ts'
import type { Recovery } from '../probes.ts'
import type { RoleName } from '../role-process.ts'
import { seconds, sleep, waitFor } from '../wait.ts'
import type { Fault, FaultContext, FaultOutcome } from './fault.ts'

/** SIGKILL the role's process, leave it down for the downtime, start it again; `recover` times the restart. */
const crashAndRestart =
  (role: RoleName, recover: (ctx: FaultContext, restartedAt: number) => Promise<Recovery>) =>
  async (ctx: FaultContext): Promise<FaultOutcome> => {
    const pid = await ctx.roles[role].kill()
    if (pid === undefined) return { recoveryMs: undefined, note: `${role} was not running` }
    await sleep(ctx.downtimeMs)
    ctx.roles[role].start()
    return { recoveryMs: await recover(ctx, Date.now()), note: `killed pid ${pid}` }
  }

const workerChildren = (primary: number | undefined): number[] =>
  primary === undefined ? [] : childrenOf(primary).filter((p) => commandLine(p).includes('--child'))

export const roleFaults: readonly Fault[] = [
  {
    name: 'api',
    does: 'SIGKILL the API process; restart it',
    measure: 'restart → GET /health answers 200',
    fullOnly: false,
    inject: crashAndRestart('api', (ctx, t0) => ctx.probes.healthy(t0)),
  },
  {
    name: 'projector',
    does: 'SIGKILL the projector; restart it',
    measure: 'restart → a probe task submitted after the restart is in the tasks read model',
    fullOnly: false,
    inject: crashAndRestart('projector', (ctx, t0) => ctx.probes.visible('projector', t0)),
  },
  {
    name: 'reactors',
    does: 'SIGKILL the reactors; restart them',
    measure: 'restart → a probe task submitted after the restart is dispatched and started by a worker',
    fullOnly: false,
    inject: crashAndRestart('reactors', (ctx, t0) => ctx.probes.started('reactors', t0)),
  },
  {
    name: 'loops',
    does: 'claim a task over HTTP with a 3 s lease and abandon it; SIGKILL the loops; restart them once the lease has lapsed',
    measure: 'restart → the lease reaper has taken the lapsed task from its holder (read model)',
    fullOnly: false,
    async inject(ctx) {
      const claim = await ctx.probes.lapsingClaim('loops')
      if (!claim) return { recoveryMs: undefined, note: 'could not set up a lapsing claim' }
      if (Date.now() >= claim.lapsesAt) return { recoveryMs: undefined, note: 'the claim lapsed before the loops could be killed' }
      const pid = await ctx.roles.loops.kill()
      await sleep(Math.max(ctx.downtimeMs, claim.lapsesAt + 250 - Date.now()))
      ctx.roles.loops.start()
      return { recoveryMs: await ctx.probes.reaped(claim.taskId, Date.now()), note: `killed pid ${pid}` }
    },
  },
  {
    name: 'worker-child',
    does: "SIGKILL one of the pool's worker processes (the primary replaces it)",
    measure: "kill → the primary's replacement process has started a task (a side-effect run under it)",
    fullOnly: false,
    async inject(ctx) {
      const primary = ctx.roles.workers.pid()
      const before = workerChildren(primary)
      // A worker in the middle of a task, when one is found within 5 s: its side effect is cut off (or must die with it).
      const busy = await waitFor(
        async () => {
          const scripts = pidsWithCommandLine(ctx.sideEffectsDir)
          const ancestors = new Set(scripts.flatMap((p) => [parentOf(p), parentOf(parentOf(p) ?? -1)]))
          return before.find((w) => ancestors.has(w))
        },
        5_000,
        20,
      )
      const victim = busy ?? before[Math.floor(Math.random() * before.length)]
      if (victim === undefined) return { recoveryMs: undefined, note: 'no worker process to kill' }
      process.kill(victim, 'SIGKILL')
      const t0 = Date.now()
      const at = await waitFor(async () => {
        const fresh = new Set(workerChildren(primary).filter((p) => !before.includes(p)))
        const run = readSideEffects(ctx.sideEffectsDir).runs.find(
          (r) => r.startedAt >= t0 && (fresh.has(r.parent) || fresh.has(r.grandparent)),
        )
        return run?.startedAt
      }, ctx.recoveryTimeoutMs)
      return {
        recoveryMs: at === undefined ? undefined : at - t0,
        note: `killed worker pid ${victim} of primary ${primary}${busy ? ' while it ran a task' : ' (idle: no task in flight was found)'}`,
      }
    },
  },
  {
    name: 'worker-primary',
    does: "SIGKILL the pool's cluster primary (its worker processes are left to drain); restart it",
    measure: 'restart → a probe task submitted after the restart is completed',
    fullOnly: false,
    async inject(ctx) {
      const primary = ctx.roles.workers.pid()
      const orphans = workerChildren(primary)
      const outcome = await crashAndRestart('workers', (c, t0) => c.probes.completed('workers', t0))(ctx)
      // The orphaned worker processes should drain and exit by themselves (their primary is gone).
      const gone = await waitFor(async () => (orphans.every((p) => !isAlive(p)) ? true : undefined), 1_000)
      const left = orphans.filter(isAlive)
      return {
        ...outcome,
        note: `${outcome.note}; its ${orphans.length} worker process(es) ${gone ? 'have exited' : `still alive after ${seconds(1_000)} more: ${left.join(', ')}`}`,
      }
    },
  },
]
