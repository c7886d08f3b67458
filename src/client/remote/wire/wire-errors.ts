import { ConnectionFailure } from '../../kafka-client.js'

// What can go wrong below the Kafka protocol: the broker cannot be reached, the connection breaks
// while requests are out, an answer does not come in request.timeout.ms, or authentication is refused.
// Each carries the broker's address; remote-errors.ts turns them into the one line the tools print.

/** A failure to talk to one broker. `retriable`: a new connection may succeed (Kafka's NetworkException). */
export class BrokerIoError extends ConnectionFailure {
  override name = 'BrokerIoError'
  constructor(
    message: string,
    readonly address: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The broker refused our credentials (SaslAuthenticate error) or the mechanism; never retried. */
export class AuthenticationFailure extends BrokerIoError {
  override name = 'AuthenticationFailure'
  constructor(message: string, address: string, options?: { cause?: unknown }) {
    super(message, address, false, options)
  }
}
