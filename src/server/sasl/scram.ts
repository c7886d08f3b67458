import { randomBytes, timingSafeEqual } from 'node:crypto'

import { digest, hmac, SCRAM_MECHANISM, type ScramCredential, type ScramMechanismName } from '../../broker/scram-credentials.js'

// SASL/SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka's ScramSaslServer runs them:
//
//   client-first  n,[a=authzid],n=<saslname>,r=<cnonce>[,ext=…]   → server-first  r=<cnonce><snonce>,s=<salt>,i=<iterations>
//   client-final  c=biws,r=<nonce>[,ext=…],p=<proof>               → server-final  v=<server signature>
//
// Only the gs2 header "n" (no channel binding) is accepted, as in Kafka. Credentials are the salted
// ones stored by `storage format --add-scram`, read when the client-first message names the user.
// Failures are Kafka's: an authzid other than the user name is reported with its own text
// (SaslAuthenticationException); everything else (unknown user, wrong proof, bad message) is a plain
// SaslException, which Kafka answers with one generic text so that a client learns nothing about
// which users exist. `reason` keeps the detail for the broker log.

export type ScramStep =
  | { readonly kind: 'challenge'; readonly bytes: Buffer }
  | { readonly kind: 'done'; readonly bytes: Buffer; readonly user: string }
  | { readonly kind: 'failed'; readonly message: string; readonly reason: string }

export type CredentialLookup = (mechanism: ScramMechanismName, user: string) => ScramCredential | undefined

// Kafka's ScramMessages grammar (RFC 5802 §7).
const SASLNAME = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+'
const VALUE = '[\\x01-\\x2B\\x2D-\\x7F]+'
const PRINTABLE = '[\\x21-\\x2B\\x2D-\\x7E]+'
const BASE64 = '(?:[a-zA-Z0-9/+]{4})*(?:[a-zA-Z0-9/+]{3}=|[a-zA-Z0-9/+]{2}==)?'
const EXTENSIONS = `(?:,[A-Za-z]+=${VALUE})*`
const CLIENT_FIRST = new RegExp(`^n,(?:a=(?<authzid>${SASLNAME}))?,(?<bare>(?:m=${VALUE},)?n=(?<saslname>${SASLNAME}),r=(?<nonce>${PRINTABLE})${EXTENSIONS})$`)
const CLIENT_FINAL = new RegExp(`^(?<withoutProof>c=(?<channel>${BASE64}),r=(?<nonce>${PRINTABLE})${EXTENSIONS}),p=(?<proof>${BASE64})$`)

export class ScramServer {
  private state: 'first' | 'final' | 'complete' | 'failed' = 'first'
  private user = ''
  private credential: ScramCredential | undefined
  private clientFirstBare = ''
  private serverFirst = ''
  private combinedNonce = ''

  /** @param nonce the server's nonce part (tests pass RFC 7677's). */
  constructor(
    private readonly mechanism: ScramMechanismName,
    private readonly lookup: CredentialLookup,
    private readonly nonce: () => string = serverNonce,
  ) {}

  /** Kafka's answer for every SaslException (SaslServerAuthenticator). */
  private get genericFailure(): string {
    return `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`
  }

  evaluate(response: Buffer): ScramStep {
    switch (this.state) {
      case 'first':
        return this.clientFirst(response.toString('utf8'))
      case 'final':
        return this.clientFinal(response.toString('utf8'))
      case 'complete':
      case 'failed':
        return this.fail(`Unexpected challenge in Sasl server state ${this.state.toUpperCase()}`)
    }
  }

  private clientFirst(message: string): ScramStep {
    const m = CLIENT_FIRST.exec(message)
    if (!m?.groups) return this.fail(`Invalid SCRAM client first message format: ${message}`)
    const saslName = m.groups['saslname'] ?? ''
    const username = saslName.replaceAll('=2C', ',')
    if (username.replaceAll('=3D', '').includes('=')) return this.fail('Authentication failed: Credentials could not be obtained')
    this.user = username.replaceAll('=3D', '=')
    const credential = this.lookup(this.mechanism, this.user)
    if (credential === undefined) return this.fail('Authentication failed: Invalid user credentials')
    const authzid = m.groups['authzid'] ?? ''
    if (authzid !== '' && authzid !== this.user) {
      const text = 'Authentication failed: Client requested an authorization id that is different from username'
      this.state = 'failed'
      return { kind: 'failed', message: text, reason: text }
    }
    const { minIterations } = SCRAM_MECHANISM[this.mechanism]
    if (credential.iterations < minIterations) {
      return this.fail(`Iterations ${credential.iterations} is less than the minimum ${minIterations} for ${this.mechanism}`)
    }
    this.credential = credential
    this.clientFirstBare = m.groups['bare'] ?? ''
    this.combinedNonce = `${m.groups['nonce'] ?? ''}${this.nonce()}`
    this.serverFirst = `r=${this.combinedNonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`
    this.state = 'final'
    return { kind: 'challenge', bytes: Buffer.from(this.serverFirst, 'utf8') }
  }

  private clientFinal(message: string): ScramStep {
    const m = CLIENT_FINAL.exec(message)
    if (!m?.groups) return this.fail(`Invalid SCRAM client final message format: ${message}`)
    // Kafka 3.8.1–3.9 (the CVE-2024-56128 fix) accept a nonce that *ends with* the combined one:
    // librdkafka before 2.6.1 (Debian's kcat among them) sends its client nonce twice
    // (confluentinc/librdkafka#4895). Kafka 4 requires equality; kafka-ts follows 3.9. Either way the
    // client must echo the server's fresh nonce, which is what stops a replayed exchange.
    if (!(m.groups['nonce'] ?? '').endsWith(this.combinedNonce)) return this.fail('Invalid client nonce in the final client message.')
    const credential = this.credential
    if (credential === undefined) return this.fail('no credential')
    const mechanism = SCRAM_MECHANISM[this.mechanism]
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${m.groups['withoutProof'] ?? ''}`
    // ClientKey = ClientProof XOR ClientSignature; the client knows the password iff H(ClientKey) = StoredKey.
    const proof = Buffer.from(m.groups['proof'] ?? '', 'base64')
    const clientSignature = hmac(mechanism, credential.storedKey, authMessage)
    if (proof.length !== clientSignature.length) return this.fail('Invalid client credentials')
    const clientKey = Buffer.alloc(proof.length)
    for (let i = 0; i < proof.length; i++) clientKey[i] = (proof[i] ?? 0) ^ (clientSignature[i] ?? 0)
    const computed = digest(mechanism, clientKey)
    if (computed.length !== credential.storedKey.length || !timingSafeEqual(computed, credential.storedKey)) {
      return this.fail('Invalid client credentials')
    }
    const serverSignature = hmac(mechanism, credential.serverKey, authMessage)
    this.credential = undefined
    this.state = 'complete'
    return { kind: 'done', bytes: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'), user: this.user }
  }

  private fail(reason: string): ScramStep {
    this.credential = undefined
    this.state = 'failed'
    return { kind: 'failed', message: this.genericFailure, reason }
  }
}

/** Kafka's ScramFormatter.secureRandomString: a random 130-bit number in base 36. */
function serverNonce(): string {
  return (BigInt(`0x${randomBytes(17).toString('hex')}`) >> 6n).toString(36)
}
