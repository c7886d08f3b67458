/**
 * SaslAuthenticate (36), v0–v2.
 * Behaviour: after SaslHandshake v1 on a SASL listener, checks the PLAIN token
 * (authzid NUL user NUL password). Success → error 0, null message, empty auth_bytes,
 * session_lifetime_ms 0 (no re-authentication). Failure → SASL_AUTHENTICATION_FAILED (58) with Kafka's
 * message ("Authentication failed: Invalid username or password", …), then the connection closes.
 * On a PLAINTEXT listener or once authenticated → ILLEGAL_SASL_STATE (34), as KafkaApis answers.
 * Version notes: v1 adds session_lifetime_ms; v2 is flexible.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeSaslAuthenticateRequest,
  encodeSaslAuthenticateResponse,
  type SaslAuthenticateRequest,
  type SaslAuthenticateResponseInput,
} from '../../protocol/messages/sasl-authenticate.js'
import { defineHandler } from '../handler.js'
import { saslSessionOf } from '../sasl/sasl-session.js'

const ILLEGAL_SASL_STATE = 34

export const saslAuthenticateHandler = defineHandler<SaslAuthenticateRequest, SaslAuthenticateResponseInput>({
  apiKey: ApiKey.SaslAuthenticate,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeSaslAuthenticateRequest,
  encode: encodeSaslAuthenticateResponse,
  handle(req, ctx) {
    const session = saslSessionOf(ctx)
    if (session) return session.authenticate(req.authBytes)
    return {
      errorCode: ILLEGAL_SASL_STATE,
      errorMessage: 'SaslAuthenticate request received after successful authentication',
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0,
    }
  },
})
