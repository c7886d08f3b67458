import { describe, expect, it } from 'vitest'

import { credentialFromPassword, digest, hmac, saltedPassword, SCRAM_MECHANISM, type ScramCredential } from '../../../../src/broker/scram-credentials.js'
import { ScramServer } from '../../../../src/server/sasl/scram.js'

// The server side of SCRAM against RFC 7677's SCRAM-SHA-256 example exchange (user "user", password
// "pencil"), plus the failures, whose client-visible text must be Kafka's.

const RFC = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
}
const FAILED = 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256'

const pencil = credentialFromPassword(SCRAM_MECHANISM['SCRAM-SHA-256'], 'user', 'pencil', { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), iterations: 4096 })
const users = (...credentials: ScramCredential[]) => (mechanism: string, name: string) => credentials.find((c) => c.mechanism === mechanism && c.name === name)
const server = (credentials = users(pencil)) => new ScramServer('SCRAM-SHA-256', credentials, () => RFC.serverNonce)
const utf8 = (s: string) => Buffer.from(s, 'utf8')

/** RFC 7677's client-final as librdkafka < 2.6.1 builds it: r=<client nonce><server r>, proof over that text. */
function rdkafkaFinal(): string {
  const m = SCRAM_MECHANISM['SCRAM-SHA-256']
  const withoutProof = `c=biws,r=rOprNGfwEbeRWgbNEkqOrOprNGfwEbeRWgbNEkqO${RFC.serverNonce}`
  const salted = saltedPassword(m, 'pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096)
  const clientKey = hmac(m, salted, 'Client Key')
  const signature = hmac(m, digest(m, clientKey), `n=user,r=rOprNGfwEbeRWgbNEkqO,${RFC.serverFirst},${withoutProof}`)
  return `${withoutProof},p=${Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0))).toString('base64')}`
}

describe('ScramServer (SCRAM-SHA-256, RFC 7677 §3)', () => {
  it('answers the RFC exchange byte for byte', () => {
    const s = server()
    expect(s.evaluate(utf8(RFC.clientFirst))).toEqual({ kind: 'challenge', bytes: utf8(RFC.serverFirst) })
    expect(s.evaluate(utf8(RFC.clientFinal))).toEqual({ kind: 'done', bytes: utf8(RFC.serverFinal), user: 'user' })
  })

  it('refuses a wrong proof with Kafka generic text (detail kept for the log)', () => {
    const s = server()
    s.evaluate(utf8(RFC.clientFirst))
    const bad = RFC.clientFinal.replace('p=dHzb', 'p=dHzc')
    expect(s.evaluate(utf8(bad))).toEqual({ kind: 'failed', message: FAILED, reason: 'Invalid client credentials' })
    // A failed exchange stays failed.
    expect(s.evaluate(utf8(RFC.clientFinal))).toMatchObject({ kind: 'failed', message: FAILED })
  })

  it.each([
    ['an unknown user', 'n,,n=mallory,r=abc', 'Authentication failed: Invalid user credentials'],
    ['a malformed first message', 'p=tls-unique,,n=user,r=abc', 'Invalid SCRAM client first message format: p=tls-unique,,n=user,r=abc'],
    ['a bad =XX escape in the user name', 'n,,n=us=41er,r=abc', 'Invalid SCRAM client first message format: n,,n=us=41er,r=abc'],
  ])('fails the first message for %s', (_name, message, reason) => {
    expect(server().evaluate(utf8(message))).toEqual({ kind: 'failed', message: FAILED, reason })
  })

  it('reports an authzid other than the user with its own text, as Kafka does', () => {
    const text = 'Authentication failed: Client requested an authorization id that is different from username'
    expect(server().evaluate(utf8('n,a=admin,n=user,r=abc'))).toEqual({ kind: 'failed', message: text, reason: text })
  })

  it('accepts an authzid equal to the user and decodes =2C / =3D in names', () => {
    const odd = credentialFromPassword(SCRAM_MECHANISM['SCRAM-SHA-256'], 'a,b=c', 'pw')
    expect(server(users(odd)).evaluate(utf8('n,,n=a=2Cb=3Dc,r=xyz')).kind).toBe('challenge')
    expect(server().evaluate(utf8('n,a=user,n=user,r=xyz')).kind).toBe('challenge')
  })

  it('refuses a final message whose nonce is not the combined one', () => {
    const s = server()
    s.evaluate(utf8(RFC.clientFirst))
    expect(s.evaluate(utf8(RFC.clientFinal.replace('r=rOpr', 'r=xOpr')))).toEqual({ kind: 'failed', message: FAILED, reason: 'Invalid client nonce in the final client message.' })
  })

  it('accepts the client nonce repeated before the combined one (librdkafka < 2.6.1, librdkafka#4895), as Kafka 3.8.1-3.9 do', () => {
    const s = server()
    s.evaluate(utf8(RFC.clientFirst))
    // librdkafka builds its proof over the message it sends, so the proof must be checked over that text.
    const step = s.evaluate(utf8(rdkafkaFinal()))
    expect(step.kind).toBe('done')
  })

  it('refuses stored credentials below the mechanism minimum iterations', () => {
    const weak = credentialFromPassword(SCRAM_MECHANISM['SCRAM-SHA-256'], 'user', 'pencil', { iterations: 1000 })
    expect(server(users(weak)).evaluate(utf8(RFC.clientFirst))).toEqual({ kind: 'failed', message: FAILED, reason: 'Iterations 1000 is less than the minimum 4096 for SCRAM-SHA-256' })
  })

  it('stores no password: salt, iterations and the two keys only', () => {
    expect(Object.keys(pencil).sort()).toEqual(['iterations', 'mechanism', 'name', 'salt', 'serverKey', 'storedKey'])
    expect(pencil.storedKey.toString('latin1')).not.toContain('pencil')
  })
})
