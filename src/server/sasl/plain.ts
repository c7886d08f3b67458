import { timingSafeEqual } from 'node:crypto'

// SASL/PLAIN (RFC 4616) as Kafka's PlainSaslServer checks it: the client's single message is
// `authzid NUL authcid NUL password` in UTF-8; the password is compared with the
// `user_<name>="<password>"` option of the PlainLoginModule JAAS entry; an authzid, when given,
// must equal the user name (kafka-python sends the user name there). Messages are Kafka's.

export const PLAIN = 'PLAIN'
export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule'

export type PlainResult = { readonly ok: true; readonly user: string } | { readonly ok: false; readonly message: string }

export class PlainAuthenticator {
  /** @param users user name → password, from the JAAS `user_<name>` options. */
  constructor(private readonly users: ReadonlyMap<string, string>) {}

  authenticate(token: Buffer): PlainResult {
    // Kafka stops counting at 4 tokens.
    const parts = token.toString('utf8').split('\u0000')
    if (parts.length !== 3) return { ok: false, message: `Invalid SASL/PLAIN response: expected 3 tokens, got ${Math.min(parts.length, 4)}` }
    const [authzid, user, password] = parts as [string, string, string]
    if (user === '') return { ok: false, message: 'Authentication failed: username not specified' }
    if (password === '') return { ok: false, message: 'Authentication failed: password not specified' }
    const expected = this.users.get(user)
    if (expected === undefined || !equalConstantTime(expected, password)) {
      return { ok: false, message: 'Authentication failed: Invalid username or password' }
    }
    if (authzid !== '' && authzid !== user) {
      return { ok: false, message: 'Authentication failed: Client requested an authorization id that is different from username' }
    }
    return { ok: true, user }
  }
}

/** The users a PLAIN server accepts: every `user_<name>` option of the PlainLoginModule entries. */
export function plainUsersFrom(entries: readonly { loginModule: string; options: ReadonlyMap<string, string> }[]): Map<string, string> {
  const users = new Map<string, string>()
  for (const e of entries) {
    if (e.loginModule !== PLAIN_LOGIN_MODULE) continue
    for (const [key, value] of e.options) if (key.startsWith('user_')) users.set(key.slice('user_'.length), value)
  }
  return users
}

// Kafka compares with Utils.isEqualConstantTime so a wrong password's timing says nothing about the right one.
function equalConstantTime(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  if (x.length !== y.length) {
    timingSafeEqual(x, x)
    return false
  }
  return timingSafeEqual(x, y)
}
