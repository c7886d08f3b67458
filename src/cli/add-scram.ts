import {
  credentialFromPassword,
  credentialFromSaltedPassword,
  isScramMechanism,
  SCRAM_MECHANISM,
  DEFAULT_SCRAM_ITERATIONS,
  type ScramCredential,
} from '../broker/scram-credentials.js'
import { UserError } from './errors.js'

// `kafka-storage format --add-scram` (Kafka 3.5+, ScramParser): `MECHANISM=[name=…,password=…]`, with
// optional `iterations=` and `salt=` (base64), or `salt=` + `saltedpassword=` (base64) instead of the
// password. Values may be double-quoted. Errors are Kafka's FormatterException texts.

const SASL_NAMES = 'SCRAM-SHA-256, SCRAM-SHA-512'

export function parseAddScram(argument: string): ScramCredential {
  const input = argument.trim()
  const eq = input.indexOf('=')
  if (eq < 0) throw new UserError(`Failed to find equals sign in SCRAM argument '${input}'`)
  const mechanismName = input.slice(0, eq)
  const config = input.slice(eq + 1)
  if (!isScramMechanism(mechanismName)) throw new UserError(`The add-scram mechanism ${mechanismName} is not supported.`, `Use one of ${SASL_NAMES}.`)
  if (!config.startsWith('[')) throw new UserError('Expected configuration string to start with [')
  if (!config.endsWith(']')) throw new UserError('Expected configuration string to end with ]')
  const mechanism = SCRAM_MECHANISM[mechanismName]

  const components = new Map<string, string>()
  for (const component of config.slice(1, -1).split(',')) {
    const at = component.indexOf('=')
    if (at < 0) throw new UserError(`No equals sign found in SCRAM component: ${component}`)
    let value = component.slice(at + 1)
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    components.set(component.slice(0, at), value)
  }
  const take = (key: string): string | undefined => {
    const v = components.get(key)
    components.delete(key)
    return v
  }
  const name = take('name')
  if (name === undefined) throw new UserError("You must supply 'name' to add-scram")
  const saltText = take('salt')
  const salt = saltText === undefined ? undefined : base64(saltText, `Failed to decode given salt: ${saltText}`)
  const iterationsText = take('iterations')
  let iterations = DEFAULT_SCRAM_ITERATIONS
  if (iterationsText !== undefined) {
    if (!/^[+-]?\d+$/.test(iterationsText) || !Number.isSafeInteger(Number(iterationsText))) {
      throw new UserError(`Failed to parse iterations count: ${iterationsText}`)
    }
    iterations = Number(iterationsText)
  }
  const password = take('password')
  const saltedText = take('saltedpassword')
  if (password === undefined) {
    if (saltedText === undefined) throw new UserError("You must supply one of 'password' or 'saltedpassword' to add-scram")
    if (salt === undefined) throw new UserError("You must supply 'salt' with 'saltedpassword' to add-scram")
  }
  if (components.size > 0) throw new UserError(`Unknown SCRAM configurations: ${[...components.keys()].sort().join(', ')}`)
  if (iterations < mechanism.minIterations) {
    throw new UserError(`The 'iterations' value must be >= ${mechanism.minIterations} for add-scram using ${mechanism.name}`)
  }
  if (iterations > mechanism.maxIterations) {
    throw new UserError(`The 'iterations' value must be <= ${mechanism.maxIterations} for add-scram using ${mechanism.name}`)
  }
  if (password !== undefined) return credentialFromPassword(mechanism, name, password, { iterations, ...(salt === undefined ? {} : { salt }) })
  const salted = base64(saltedText ?? '', `Failed to decode given saltedPassword: ${saltedText ?? ''}`)
  return credentialFromSaltedPassword(mechanism, name, salt ?? Buffer.alloc(0), iterations, salted)
}

/** java.util.Base64's basic decoder: the standard alphabet, padding optional, nothing else. */
function base64(text: string, message: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) throw new UserError(message)
  return Buffer.from(text, 'base64')
}
