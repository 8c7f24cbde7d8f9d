import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Read-your-writes: re-reads until the row has reached `minVersion` or the wait is over.
 * Polls with a short, growing interval: the projector commits every few milliseconds under load.
 */
export async function waitForVersion<R extends { version: number }>(read: () => Promise<R | undefined>, minVersion: number | undefined, waitMs: number): Promise<{ row: R | undefined; reached: boolean }> {
  let row = await read()
  if (minVersion === undefined) return { row, reached: true }
  const deadline = Date.now() + waitMs
  let pause = 2
  while ((row?.version ?? 0) < minVersion && Date.now() < deadline) {
    await sleep(pause)
    pause = Math.min(pause * 2, 25)
    row = await read()
  }
  return { row, reached: (row?.version ?? 0) >= minVersion }
}
