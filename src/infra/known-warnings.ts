/**
 * kafkajs 2.2.4 schedules a timer with a negative delay on Node 24 (kafkajs issue #1751);
 * Node then warns on every connection although the timer simply fires at once. That one
 * warning is dropped; every other process warning is still printed.
 */
export function silenceKnownWarnings(): void {
  process.removeAllListeners('warning')
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return
    process.stderr.write(`${warning.name}: ${warning.message}\n`)
  })
}
