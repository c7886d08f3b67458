import { canSpin } from './terminal.js'

/**
 * Runs `work` under an ora spinner on stderr when a human is watching and the work takes longer
 * than a moment; otherwise just runs it. The spinner never touches stdout.
 */
export async function withSpinner<T>(text: string, work: () => T | Promise<T>, opts: { enabled?: boolean } = {}): Promise<T> {
  if (opts.enabled === false || !canSpin()) return work()
  let spinner: { stop(): void } | undefined
  let cancelled = false
  const timer = setTimeout(() => {
    void import('ora').then(({ default: ora }) => {
      if (!cancelled) spinner = ora({ text, stream: process.stderr }).start()
    })
  }, 250)
  try {
    return await work()
  } finally {
    cancelled = true
    clearTimeout(timer)
    spinner?.stop()
  }
}
