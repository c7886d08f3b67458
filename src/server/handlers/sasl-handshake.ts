/**
 * SaslHandshake (17), v0–v1.
 * Behaviour: on a SASL listener before authentication, picks the mechanism: PLAIN (when enabled) →
 * error 0 and the enabled list; anything else → UNSUPPORTED_SASL_MECHANISM (33) with the enabled list,
 * then the connection closes. v1 continues with SaslAuthenticate requests; v0 (kafka-python) continues
 * with the bare token frame the connection reads itself. On a PLAINTEXT listener, or after
 * authentication, Kafka's KafkaApis answers ILLEGAL_SASL_STATE (34) with no mechanisms.
 * Version notes: v0 and v1 have the same layout; only the flow afterwards differs.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeSaslHandshakeRequest,
  encodeSaslHandshakeResponse,
  type SaslHandshakeRequest,
  type SaslHandshakeResponseInput,
} from '../../protocol/messages/sasl-handshake.js'
import { defineHandler } from '../handler.js'
import { saslSessionOf } from '../sasl/sasl-session.js'

const ILLEGAL_SASL_STATE = 34

export const saslHandshakeHandler = defineHandler<SaslHandshakeRequest, SaslHandshakeResponseInput>({
  apiKey: ApiKey.SaslHandshake,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeSaslHandshakeRequest,
  encode: encodeSaslHandshakeResponse,
  handle(req, ctx) {
    const session = saslSessionOf(ctx)
    return session ? session.handshake(req.mechanism, ctx.apiVersion) : { errorCode: ILLEGAL_SASL_STATE, mechanisms: [] }
  },
})
