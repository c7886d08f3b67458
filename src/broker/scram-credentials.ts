import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'

// SCRAM credentials as Kafka keeps them (ScramFormatter, UserScramCredentialRecord): never the
// password, only salt, iteration count, StoredKey = H(HMAC(SaltedPassword, "Client Key")) and
// ServerKey = HMAC(SaltedPassword, "Server Key"), with SaltedPassword = Hi(password, salt, i)
// (RFC 5802 §3; Hi is PBKDF2 with the mechanism's HMAC). Kafka does not SASLprep the password: it
// takes its UTF-8 bytes, and so do we.

export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const
export type ScramMechanismName = (typeof SCRAM_MECHANISMS)[number]

export interface ScramMechanism {
  readonly name: ScramMechanismName
  /** node:crypto digest name. */
  readonly hash: 'sha256' | 'sha512'
  readonly keyLength: number
  /** Kafka's ScramMechanism.minIterations / maxIterations (both mechanisms: 4096 … 16384). */
  readonly minIterations: number
  readonly maxIterations: number
}

export const SCRAM_MECHANISM: Readonly<Record<ScramMechanismName, ScramMechanism>> = {
  'SCRAM-SHA-256': { name: 'SCRAM-SHA-256', hash: 'sha256', keyLength: 32, minIterations: 4096, maxIterations: 16384 },
  'SCRAM-SHA-512': { name: 'SCRAM-SHA-512', hash: 'sha512', keyLength: 64, minIterations: 4096, maxIterations: 16384 },
}

/** Kafka's default iteration count for `--add-scram` and `kafka-configs --add-config SCRAM-…`. */
export const DEFAULT_SCRAM_ITERATIONS = 4096

export function isScramMechanism(name: string): name is ScramMechanismName {
  return (SCRAM_MECHANISMS as readonly string[]).includes(name)
}

/** What the store keeps for one user and mechanism. */
export interface ScramCredential {
  readonly mechanism: ScramMechanismName
  readonly name: string
  readonly salt: Buffer
  readonly iterations: number
  readonly storedKey: Buffer
  readonly serverKey: Buffer
}

export function hmac(mechanism: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(mechanism.hash, key).update(data).digest()
}

export function digest(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(mechanism.hash).update(data).digest()
}

export function saltedPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, mechanism.keyLength, mechanism.hash)
}

/** The stored form from a salted password (Kafka's `saltedpassword=` form of --add-scram starts here). */
export function credentialFromSaltedPassword(mechanism: ScramMechanism, name: string, salt: Buffer, iterations: number, salted: Buffer): ScramCredential {
  const clientKey = hmac(mechanism, salted, 'Client Key')
  return {
    mechanism: mechanism.name,
    name,
    salt: Buffer.from(salt),
    iterations,
    storedKey: digest(mechanism, clientKey),
    serverKey: hmac(mechanism, salted, 'Server Key'),
  }
}

/** A new credential for a password, with a random salt unless one is given. */
export function credentialFromPassword(
  mechanism: ScramMechanism,
  name: string,
  password: string,
  opts: { salt?: Buffer; iterations?: number } = {},
): ScramCredential {
  // Kafka's ScramFormatter.secureRandomBytes: a random 130-bit number's base-36 text, as bytes.
  const salt = opts.salt ?? Buffer.from((BigInt(`0x${randomBytes(17).toString('hex')}`) >> 6n).toString(36), 'ascii')
  const iterations = opts.iterations ?? DEFAULT_SCRAM_ITERATIONS
  return credentialFromSaltedPassword(mechanism, name, salt, iterations, saltedPassword(mechanism, password, salt, iterations))
}
