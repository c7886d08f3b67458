import { ApiKey } from '../../protocol/api-keys.js'
import type { SaslAuthenticateResponseInput } from '../../protocol/messages/sasl-authenticate.js'
import type { SaslHandshakeResponseInput } from '../../protocol/messages/sasl-handshake.js'
import type { RequestContext } from '../handler.js'
import { isScramMechanism } from '../../broker/scram-credentials.js'
import type { ListenerSasl } from './listener-sasl.js'
import { ScramServer, type ScramStep } from './scram.js'

// The authentication state of one connection, after Kafka's SaslServerAuthenticator:
//
//   handshake ──SaslHandshake v1──▶ authenticate ──SaslAuthenticate ok──▶ authenticated
//       │                              │ ▲  └── bad credentials → error 58, then close
//       │                              └─┘ SCRAM: server-first challenge, client-final next
//       └──────SaslHandshake v0──▶ raw-token ──token ok: bare frame (empty for PLAIN)──▶ authenticated
//                                         └── bad credentials → close
//
// Before authentication Kafka accepts only ApiVersions and SaslHandshake (then SaslAuthenticate, or
// the raw token of v0); anything else closes the connection. Once authenticated (and always on a
// listener without SASL) SaslHandshake/SaslAuthenticate reach KafkaApis, which answers
// ILLEGAL_SASL_STATE — kafka-ts never asks for re-authentication (session lifetime 0).

export type SaslState = 'handshake' | 'authenticate' | 'raw-token' | 'authenticated'

const ILLEGAL_SASL_STATE = 34
const UNSUPPORTED_SASL_MECHANISM = 33
const SASL_AUTHENTICATION_FAILED = 58

/** One mechanism's server side for one connection: each client token gets a step. */
interface MechanismServer {
  evaluate(token: Buffer): ScramStep
}

export class SaslSession {
  private current: SaslState
  private server: MechanismServer | undefined
  /** Set when the response being sent must be the last one on this connection (Kafka closes after it). */
  closeAfterResponse = false
  /** Set when authentication failed, with Kafka's reason, for the log line. */
  failure: string | undefined
  user: string | undefined

  constructor(readonly sasl: ListenerSasl | undefined) {
    this.current = sasl ? 'handshake' : 'authenticated'
  }

  get state(): SaslState {
    return this.current
  }

  /** Whether a Kafka request with this API key may be processed now; when not, Kafka closes the connection. */
  allows(apiKey: number): boolean {
    switch (this.current) {
      case 'authenticated':
        return true
      case 'handshake':
        return apiKey === ApiKey.ApiVersions || apiKey === ApiKey.SaslHandshake
      case 'authenticate':
        return apiKey === ApiKey.SaslAuthenticate
      case 'raw-token':
        return false
    }
  }

  /** Kafka's text for a request refused by `allows`. */
  refusal(apiName: string): string {
    return `Unexpected Kafka request of type ${apiName} during SASL ${this.current === 'handshake' ? 'handshake' : 'authentication'}.`
  }

  handshake(mechanism: string, version: number): SaslHandshakeResponseInput {
    if (this.current !== 'handshake' || !this.sasl) return { errorCode: ILLEGAL_SASL_STATE, mechanisms: [] }
    const sasl = this.sasl
    const mechanisms = sasl.mechanisms
    if (!mechanisms.includes(mechanism)) {
      this.closeAfterResponse = true
      this.failure = `Unsupported SASL mechanism ${mechanism}`
      return { errorCode: UNSUPPORTED_SASL_MECHANISM, mechanisms }
    }
    if (isScramMechanism(mechanism)) {
      this.server = new ScramServer(mechanism, sasl.scramCredentials)
    } else {
      const plain = sasl.plain
      this.server = {
        evaluate: (token) => {
          if (!plain) return { kind: 'failed', message: 'PLAIN is not configured', reason: 'PLAIN is not configured' }
          const r = plain.authenticate(token)
          return r.ok ? { kind: 'done', bytes: Buffer.alloc(0), user: r.user } : { kind: 'failed', message: r.message, reason: r.message }
        },
      }
    }
    // v0 is the pre-KIP-152 flow: the tokens that follow are bare length-prefixed frames.
    this.current = version >= 1 ? 'authenticate' : 'raw-token'
    return { errorCode: 0, mechanisms }
  }

  authenticate(authBytes: Buffer): SaslAuthenticateResponseInput {
    if (this.current !== 'authenticate' || !this.sasl) {
      return { errorCode: ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate request received after successful authentication', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 }
    }
    const step = this.step(authBytes)
    if (step.kind === 'failed') return { errorCode: SASL_AUTHENTICATION_FAILED, errorMessage: step.message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 }
    return { errorCode: 0, errorMessage: null, authBytes: step.bytes, sessionLifetimeMs: 0 }
  }

  /**
   * The v0 flow's token frame: the bytes to answer with in a bare frame (empty once PLAIN succeeded,
   * the next SCRAM message otherwise), or undefined when authentication failed (close, no answer).
   */
  authenticateRaw(token: Buffer): Buffer | undefined {
    if (this.current !== 'raw-token') return undefined
    const step = this.step(token)
    return step.kind === 'failed' ? undefined : step.bytes
  }

  /** Runs the mechanism on one client token; on failure the connection is to close after the answer. */
  private step(token: Buffer): ScramStep {
    const step = this.server?.evaluate(token) ?? { kind: 'failed', message: 'No SASL mechanism selected', reason: 'No SASL mechanism selected' }
    switch (step.kind) {
      case 'done':
        this.current = 'authenticated'
        this.user = step.user
        break
      case 'failed':
        this.server = undefined
        this.closeAfterResponse = true
        this.failure = step.reason === step.message ? step.message : `${step.message}: ${step.reason}`
        break
      case 'challenge':
        break
    }
    return step
  }
}

// The session travels to the SaslHandshake/SaslAuthenticate handlers inside the request context under a
// private key, so RequestContext (shared by every handler) does not change shape for two APIs.
const SESSION = Symbol('sasl-session')

export function withSaslSession(ctx: RequestContext, session: SaslSession): RequestContext {
  return Object.assign(ctx, { [SESSION]: session })
}

export function saslSessionOf(ctx: RequestContext): SaslSession | undefined {
  return (ctx as RequestContext & { [SESSION]?: SaslSession })[SESSION]
}
