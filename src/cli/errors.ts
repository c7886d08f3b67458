// Expected failures (bad input, missing topic, a refused data directory) are UserErrors: one line on
// stderr, an optional hint, exit 1, never a stack. Anything else reaching the base command is a bug
// and is reported with its stack when DEBUG is set.

export class UserError extends Error {
  override name = 'UserError'
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

/** A Kafka-style usage error (wrong flag combination, missing argument): same rendering, exit 1 as Kafka's tools. */
export class UsageError extends UserError {
  override name = 'UsageError'
}

/** Thrown to end a command early with an exit status after its output was already written. */
export class ExitRequest extends Error {
  override name = 'ExitRequest'
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`)
  }
}
