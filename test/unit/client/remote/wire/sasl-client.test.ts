import { describe, expect, it } from 'vitest'

import { credentialFromPassword, SCRAM_MECHANISM, type ScramMechanismName } from '../../../../../src/broker/scram-credentials.js'
import { saslExchange } from '../../../../../src/client/remote/wire/sasl-client.js'
import { ScramServer } from '../../../../../src/server/sasl/scram.js'

// The client side of SASL against the broker's own server side (src/server/sasl/scram.ts), and RFC 7677's
// worked example, so a symmetric mistake in the shared math cannot pass unnoticed.

/** Runs the exchange to its end against `server`; returns the server's last step. */
function run(client: ReturnType<typeof saslExchange>, server: ScramServer): { kind: string; user?: string; message?: string } {
  let challenge: Buffer = Buffer.alloc(0)
  for (;;) {
    const bytes = client.next(challenge)
    if (bytes === null) return { kind: 'done' }
    const step = server.evaluate(bytes)
    if (step.kind === 'failed') return step
    challenge = step.bytes
    if (step.kind === 'done') {
      expect(client.next(challenge)).toBeNull()
      return step
    }
  }
}

describe('sasl-client', () => {
  it('PLAIN sends authzid-less \\0user\\0password once', () => {
    const client = saslExchange('PLAIN', 'alice', 'secret')
    expect(client.next(Buffer.alloc(0))).toEqual(Buffer.from('\u0000alice\u0000secret'))
    expect(client.next(Buffer.alloc(0))).toBeNull()
  })

  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    it(`${mechanism} completes against the broker's ScramServer and is refused with a wrong password`, () => {
      const credential = credentialFromPassword(SCRAM_MECHANISM[mechanism], 'al,ice=', 'secret')
      const lookup = (m: ScramMechanismName, user: string) => (m === mechanism && user === 'al,ice=' ? credential : undefined)
      expect(run(saslExchange(mechanism, 'al,ice=', 'secret'), new ScramServer(mechanism, lookup))).toMatchObject({ kind: 'done', user: 'al,ice=' })
      expect(run(saslExchange(mechanism, 'al,ice=', 'wrong'), new ScramServer(mechanism, lookup))).toMatchObject({ kind: 'failed' })
    })
  }

  it('SCRAM-SHA-256 writes RFC 7677 §3 client messages for its nonce and refuses a forged server signature', () => {
    const client = saslExchange('SCRAM-SHA-256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO')
    expect(client.next(Buffer.alloc(0))?.toString()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO')
    const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'
    expect(client.next(Buffer.from(serverFirst))?.toString()).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    )
    expect(() => client.next(Buffer.from('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='))).toThrow(/server signature/)
  })

  it('SCRAM-SHA-256 accepts RFC 7677 §3 server final message', () => {
    const client = saslExchange('SCRAM-SHA-256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO')
    client.next(Buffer.alloc(0))
    client.next(Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'))
    expect(client.next(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))).toBeNull()
  })
})
