import { describe, expect, it } from 'vitest'

import { credentialFromPassword, SCRAM_MECHANISM } from '../../../src/broker/scram-credentials.js'
import { parseAddScram } from '../../../src/cli/add-scram.js'

// `storage format --add-scram` arguments, as Kafka's ScramParser reads them.

describe('parseAddScram', () => {
  it('salts a password with a random salt and 4096 iterations by default', () => {
    const c = parseAddScram('SCRAM-SHA-512=[name=alice,password=alice-secret]')
    expect(c).toMatchObject({ mechanism: 'SCRAM-SHA-512', name: 'alice', iterations: 4096 })
    expect(c.storedKey).toHaveLength(64)
    expect(parseAddScram('SCRAM-SHA-512=[name=alice,password=alice-secret]').salt.equals(c.salt)).toBe(false)
  })

  it('takes iterations= and a base64 salt=, quoted or not', () => {
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64')
    const expected = credentialFromPassword(SCRAM_MECHANISM['SCRAM-SHA-256'], 'user', 'pencil', { salt, iterations: 8192 })
    expect(parseAddScram('SCRAM-SHA-256=[name=user,password="pencil",salt="W22ZaJ0SNY7soEsUEjb6gQ==",iterations=8192]')).toEqual(expected)
  })

  it('takes salt= + saltedpassword= instead of the password', () => {
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64')
    const fromPassword = credentialFromPassword(SCRAM_MECHANISM['SCRAM-SHA-256'], 'user', 'pencil', { salt, iterations: 4096 })
    // Hi("pencil", salt, 4096) for SHA-256 (RFC 7677 example).
    const salted = 'xKSVEDI6tPlSysH6mUQZOeeOp01r6B3fcJbodRPcYV0='
    expect(parseAddScram(`SCRAM-SHA-256=[name=user,salt=W22ZaJ0SNY7soEsUEjb6gQ==,saltedpassword=${salted}]`)).toEqual(fromPassword)
  })

  it.each([
    ['SCRAM-SHA-256', "Failed to find equals sign in SCRAM argument 'SCRAM-SHA-256'"],
    ['SCRAM-SHA-1=[name=a,password=b]', 'The add-scram mechanism SCRAM-SHA-1 is not supported.'],
    ['SCRAM-SHA-256=name=a,password=b]', 'Expected configuration string to start with ['],
    ['SCRAM-SHA-256=[name=a,password=b', 'Expected configuration string to end with ]'],
    ['SCRAM-SHA-256=[password=b]', "You must supply 'name' to add-scram"],
    ['SCRAM-SHA-256=[name=a]', "You must supply one of 'password' or 'saltedpassword' to add-scram"],
    ['SCRAM-SHA-256=[name=a,saltedpassword=YWJj]', "You must supply 'salt' with 'saltedpassword' to add-scram"],
    ['SCRAM-SHA-256=[name=a,password=b,iterations=1000]', "The 'iterations' value must be >= 4096 for add-scram using SCRAM-SHA-256"],
    ['SCRAM-SHA-512=[name=a,password=b,iterations=20000]', "The 'iterations' value must be <= 16384 for add-scram using SCRAM-SHA-512"],
    ['SCRAM-SHA-256=[name=a,password=b,iterations=many]', 'Failed to parse iterations count: many'],
    ['SCRAM-SHA-256=[name=a,password=b,salt=!!]', 'Failed to decode given salt: !!'],
    ['SCRAM-SHA-256=[name=a,password=b,colour=blue]', 'Unknown SCRAM configurations: colour'],
    ['SCRAM-SHA-256=[name=a,password]', 'No equals sign found in SCRAM component: password'],
  ])('refuses %j with Kafka text', (argument, message) => {
    expect(() => parseAddScram(argument)).toThrow(message)
  })
})
