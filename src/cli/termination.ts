// Ctrl-C and SIGTERM as Kafka's tools treat them: the run stops, what was read or printed is finished
// (flushed, committed, counted), and the tool exits.

/** Calls `onStop` at the first SIGINT or SIGTERM until the returned function removes the listeners. */
export function onTermination(onStop: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    dispose()
    onStop(signal)
  }
  const dispose = () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
  return dispose
}

/** An AbortSignal raised by SIGINT or SIGTERM, and the function that stops listening. */
export function abortOnTermination(): { signal: AbortSignal; dispose: () => void } {
  const aborter = new AbortController()
  const dispose = onTermination(() => aborter.abort())
  return { signal: aborter.signal, dispose }
}
