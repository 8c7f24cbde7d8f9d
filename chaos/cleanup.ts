/**
 * What a run must undo whatever happens (a failed check, an exception, Ctrl+C): steps run last
 * registered first, each once; a failing step is reported and the others still run.
 */
export function createCleanup(log: (line: string) => void) {
  const steps: { name: string; run: () => Promise<void> }[] = []
  let running: Promise<void> | undefined

  return {
    /** A step added once cleaning up has begun (a start-up that finished after Ctrl+C) is undone at once. */
    add(name: string, run: () => Promise<void>): void {
      if (!running) steps.push({ name, run })
      else running = running.then(() => run().catch((error: unknown) => log(`cleanup: ${name} failed: ${(error as Error).message}`)))
    },
    get started(): boolean {
      return running !== undefined
    },
    run(): Promise<void> {
      running ??= (async () => {
        while (steps.length > 0) {
          const step = steps.pop()!
          try {
            await step.run()
          } catch (error) {
            log(`cleanup: ${step.name} failed: ${(error as Error).message}`)
          }
        }
      })()
      return running
    },
  }
}

export type Cleanup = ReturnType<typeof createCleanup>
