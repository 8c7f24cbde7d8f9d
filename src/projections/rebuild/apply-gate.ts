/**
 * Lets batches run concurrently until `close()`, which waits for the ones in flight and holds
 * new ones back until `open()`: the rebuild's swap needs the shadow tables to stand still.
 */
export function createApplyGate() {
  let active = 0
  let closed: Promise<void> | undefined
  let reopen: (() => void) | undefined
  let idle: (() => void) | undefined
  return {
    async enter(): Promise<void> {
      while (closed) await closed
      active++
    },
    leave(): void {
      active--
      if (active === 0) idle?.()
    },
    async close(): Promise<void> {
      closed = new Promise<void>((resolve) => {
        reopen = resolve
      })
      if (active > 0)
        await new Promise<void>((resolve) => {
          idle = resolve
        })
      idle = undefined
    },
    open(): void {
      closed = undefined
      reopen?.()
    },
  }
}

export type ApplyGate = ReturnType<typeof createApplyGate>
