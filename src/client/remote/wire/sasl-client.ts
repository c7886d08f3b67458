import { randomBytes, timingSafeEqual } from 'node:crypto'

import { digest, hmac, saltedPassword, SCRAM_MECHANISM, type ScramMechanismName } from '../../../broker/scram-credentials.js'
import type { SaslMechanism } from '../client-properties.js'

// The client side of SASL PLAIN (RFC 4616) and SCRAM-SHA-256/512 (RFC 5802, RFC 7677), as Kafka's
// PlainSaslClient and ScramSaslClient run them. The SCRAM math (Hi, HMAC, H) is the one the broker's
// credentials use (broker/scram-credentials.ts); the server side is src/server/sasl/scram.ts.
//
// An exchange is a list of steps: each takes the broker's last answer and gives the next bytes to send,
// or throws with the reason (a server signature that does not verify means the broker does not know the
// password either: it is not the broker we meant to talk to).

export interface SaslExchange {
  /** The bytes to send next, given the broker's previous answer (empty before the first); null when done. */
  next(challenge: Buffer): Buffer | null
}

export function saslExchange(mechanism: SaslMechanism, username: string, password: string, nonce: string = clientNonce()): SaslExchange {
  if (mechanism === 'PLAIN') return plain(username, password)
  return new ScramClient(mechanism, username, password, nonce)
}

function plain(username: string, password: string): SaslExchange {
  let sent = false
  return {
    next: () => {
      if (sent) return null
      sent = true
      return Buffer.from(`\u0000${username}\u0000${password}`, 'utf8')
    },
  }
}

/** RFC 5802 §5.1: ',' and '=' in a user name travel as =2C and =3D. */
function saslName(user: string): string {
  return user.replaceAll('=', '=3D').replaceAll(',', '=2C')
}

class ScramClient implements SaslExchange {
  private step: 'first' | 'final' | 'verify' | 'done' = 'first'
  private clientFirstBare = ''
  private serverSignature: Buffer | undefined

  constructor(
    private readonly mechanism: ScramMechanismName,
    private readonly username: string,
    private readonly password: string,
    private readonly nonce: string,
  ) {}

  next(challenge: Buffer): Buffer | null {
    switch (this.step) {
      case 'first':
        this.step = 'final'
        this.clientFirstBare = `n=${saslName(this.username)},r=${this.nonce}`
        return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8')
      case 'final':
        this.step = 'verify'
        return this.clientFinal(challenge.toString('utf8'))
      case 'verify': {
        this.step = 'done'
        const m = /^v=([A-Za-z0-9+/=]+)/.exec(challenge.toString('utf8'))
        const got = m === null ? Buffer.alloc(0) : Buffer.from(m[1] ?? '', 'base64')
        const want = this.serverSignature ?? Buffer.alloc(0)
        if (got.length !== want.length || !timingSafeEqual(got, want)) throw new Error('Invalid server signature in the SCRAM server final message')
        return null
      }
      case 'done':
        return null
    }
  }

  private clientFinal(serverFirst: string): Buffer {
    const fields = new Map(serverFirst.split(',').map((kv) => [kv.slice(0, 1), kv.slice(2)] as const))
    const nonce = fields.get('r') ?? ''
    const salt = Buffer.from(fields.get('s') ?? '', 'base64')
    const iterations = Number(fields.get('i'))
    const mechanism = SCRAM_MECHANISM[this.mechanism]
    if (!nonce.startsWith(this.nonce) || salt.length === 0 || !Number.isSafeInteger(iterations)) {
      throw new Error(`Invalid SCRAM server first message: ${serverFirst}`)
    }
    if (iterations < mechanism.minIterations) throw new Error(`Requested iterations ${iterations} is less than the minimum ${mechanism.minIterations} for ${this.mechanism}`)
    const salted = saltedPassword(mechanism, this.password, salt, iterations)
    const clientKey = hmac(mechanism, salted, 'Client Key')
    const withoutProof = `c=biws,r=${nonce}`
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`
    const signature = hmac(mechanism, digest(mechanism, clientKey), authMessage)
    const proof = Buffer.alloc(clientKey.length)
    for (let i = 0; i < proof.length; i++) proof[i] = (clientKey[i] ?? 0) ^ (signature[i] ?? 0)
    this.serverSignature = hmac(mechanism, hmac(mechanism, salted, 'Server Key'), authMessage)
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8')
  }
}

/** Printable nonce as Kafka's ScramFormatter makes one (random bytes, base64 without ',' which base64 lacks). */
function clientNonce(): string {
  return randomBytes(24).toString('base64')
}
