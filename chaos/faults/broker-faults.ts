import { isAlive, listeningPid } from '../proc.ts'
import { seconds, sleep, waitFor } from '../wait.ts'
import type { Fault } from './fault.ts'

const brokerDownMs = 10_000

/** Faults of the run's own Kafka broker (never the shared one). */
export const brokerFaults: readonly Fault[] = [
  {
    name: 'broker-kill',
    does: `SIGKILL the run's Kafka broker; start it again on its data after ${seconds(brokerDownMs)}`,
    measure: 'broker up again → a probe task submitted after it is completed',
    fullOnly: true,
    async inject(ctx) {
      ctx.broker.kill()
      await sleep(brokerDownMs)
      await ctx.broker.restart()
      const t0 = Date.now()
      return { recoveryMs: await ctx.probes.completed('broker-kill', t0) }
    },
  },
  {
    name: 'broker-restart',
    does: "a graceful restart of the run's Kafka broker: SIGTERM (controlled shutdown), wait for its exit, start it again",
    measure: 'broker up again → a probe task submitted after it is completed',
    fullOnly: true,
    async inject(ctx) {
      // PrivateBroker offers SIGKILL and a stop that deletes its data; the graceful path goes by the pid listening on its port.
      const pid = listeningPid(ctx.brokerPort)
      if (pid === undefined) return { recoveryMs: undefined, note: `no process listens on the broker port ${ctx.brokerPort}` }
      const began = Date.now()
      process.kill(pid, 'SIGTERM')
      const exited = await waitFor(async () => (isAlive(pid) ? undefined : true), 60_000)
      if (!exited) process.kill(pid, 'SIGKILL')
      const stopMs = Date.now() - began
      await ctx.broker.restart()
      const t0 = Date.now()
      return {
        recoveryMs: await ctx.probes.completed('broker-restart', t0),
        note: exited ? `controlled shutdown took ${seconds(stopMs)}` : 'no exit within 60 s of SIGTERM: killed',
      }
    },
  },
]
