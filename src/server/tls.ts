import { createPrivateKey, X509Certificate } from 'node:crypto'
import fs from 'node:fs'
import tls from 'node:tls'

import type { BrokerConfig, Listener } from '../broker/broker-config.js'

// The TLS side of an SSL or SASL_SSL listener, from Kafka's broker properties (SslConfigs,
// DefaultSslEngineFactory). Each `ssl.*` key is read as `listener.name.<listener>.ssl.*` first, then
// unprefixed, as KafkaConfig.valuesWithPrefixOverride does.
//
// Keystore (the server's key and certificate chain):
//   ssl.keystore.type=PEM + ssl.keystore.location  one file with the private key and the chain
//   ssl.keystore.type=PEM + ssl.keystore.certificate.chain + ssl.keystore.key  inline PEM text
//   ssl.key.password                               decrypts an encrypted (PKCS#8) PEM key
//   ssl.keystore.type=PKCS12 + ssl.keystore.location + ssl.keystore.password
//   JKS (Kafka's default type) cannot be read without a JVM: refused, except that a PKCS12 file
//   under the JKS type is read as PKCS12, as Java's keystore.type.compat does.
// Truststore (CAs for client certificates): ssl.truststore.type=PEM with ssl.truststore.location or
//   inline ssl.truststore.certificates; without one, Node's default CAs (Kafka: the JVM's cacerts).
// ssl.client.auth: required | requested | none (default none).
// ssl.enabled.protocols: TLSv1.2,TLSv1.3 (default); the range of the listed versions is allowed.
//
// Every problem is a start-up error that names the property (prefixed as it was found).

export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError'
}

export type ClientAuth = 'required' | 'requested' | 'none'

export interface ListenerTls {
  readonly options: tls.TlsOptions
  readonly clientAuth: ClientAuth
}

const JKS_MAGIC = 0xfeedfeed

export function usesTls(listener: Listener): boolean {
  return listener.securityProtocol === 'SSL' || listener.securityProtocol === 'SASL_SSL'
}

/** The TLS options of a listener; undefined for PLAINTEXT and SASL_PLAINTEXT listeners. */
export function listenerTls(config: BrokerConfig, listener: Listener): ListenerTls | undefined {
  if (!usesTls(listener)) return undefined
  const props = config.staticProps
  const prefix = `listener.name.${listener.name.toLowerCase()}.`
  /** The value and the key it was found under. */
  const get = (key: string): { key: string; value: string } | undefined => {
    const prefixed = props.get(prefix + key)
    if (prefixed !== undefined) return { key: prefix + key, value: prefixed }
    const plain = props.get(key)
    return plain === undefined ? undefined : { key, value: plain }
  }
  const fail = (message: string): never => {
    throw new TlsConfigError(`Listener ${listener.name}: ${message}`)
  }

  const identity = keystore(get, fail)
  const ca = truststore(get, fail)

  const clientAuthSetting = get('ssl.client.auth')
  const clientAuth = (clientAuthSetting?.value.trim().toLowerCase() || 'none') as ClientAuth
  if (!['required', 'requested', 'none'].includes(clientAuth)) {
    fail(`Invalid value ${clientAuthSetting?.value ?? ''} for configuration ${clientAuthSetting?.key ?? 'ssl.client.auth'}: String must be one of: required, requested, none`)
  }

  const protocols = get('ssl.enabled.protocols')
  const versions = (protocols?.value ?? 'TLSv1.2,TLSv1.3')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
  const known = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const
  const unknown = versions.filter((v) => !(known as readonly string[]).includes(v))
  if (versions.length === 0 || unknown.length > 0) {
    fail(`Invalid value ${protocols?.value ?? ''} for configuration ${protocols?.key ?? 'ssl.enabled.protocols'}: kafka-ts supports ${known.join(', ')}`)
  }
  const order = versions.map((v) => known.indexOf(v as (typeof known)[number])).sort()
  const minVersion = known[order[0] ?? 2] ?? 'TLSv1.2'
  const maxVersion = known[order[order.length - 1] ?? 3] ?? 'TLSv1.3'

  const { keyFrom, ...identityOptions } = identity
  const options: tls.TlsOptions = {
    ...identityOptions,
    ...(ca === undefined ? {} : { ca }),
    minVersion,
    maxVersion,
    requestCert: clientAuth !== 'none',
    // 'requested': an absent certificate is fine; a presented one must still verify (checked after
    // the handshake, as Java's wantClientAuth fails the handshake on an untrusted certificate).
    rejectUnauthorized: clientAuth === 'required',
  }
  try {
    tls.createSecureContext(options)
  } catch (err) {
    fail(`Invalid SSL keystore (${keyFrom}): ${errorMessage(err)}`)
  }
  return { options, clientAuth }
}

type Getter = (key: string) => { key: string; value: string } | undefined
type Fail = (message: string) => never

interface Identity {
  readonly key?: string | { pem: string; passphrase?: string }[]
  readonly cert?: string
  readonly pfx?: Buffer
  readonly passphrase?: string
  /** The property the key material came from (for error messages). */
  readonly keyFrom: string
}

function keystore(get: Getter, fail: Fail): Identity {
  const type = get('ssl.keystore.type')
  const typeName = (type?.value.trim() || 'JKS').toUpperCase()
  const location = get('ssl.keystore.location')
  const chain = get('ssl.keystore.certificate.chain')
  const inlineKey = get('ssl.keystore.key')
  const storePassword = get('ssl.keystore.password')
  const keyPassword = get('ssl.key.password')

  if (chain !== undefined || inlineKey !== undefined) {
    if (typeName !== 'PEM') fail(`${chain?.key ?? inlineKey?.key ?? ''} needs ssl.keystore.type=PEM (got ${typeName})`)
    if (location !== undefined) fail(`${location.key} cannot be combined with ${chain?.key ?? inlineKey?.key ?? ''}`)
    if (chain === undefined) return fail(`${inlineKey?.key ?? ''} is set but ssl.keystore.certificate.chain is not`)
    if (inlineKey === undefined) return fail(`${chain.key} is set but ssl.keystore.key is not`)
    if (storePassword !== undefined) fail('SSL key store password cannot be specified with PEM format, only key password may be specified')
    return pemIdentity(inlineKey.value, chain.value, inlineKey.key, chain.key, keyPassword?.value, fail)
  }
  if (location === undefined) {
    return fail('an SSL listener needs a keystore: ssl.keystore.location (with ssl.keystore.type=PEM or PKCS12), or ssl.keystore.certificate.chain + ssl.keystore.key')
  }
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(location.value)
  } catch (err) {
    return fail(`Failed to load SSL keystore ${location.value} of type ${typeName} (${location.key}): ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`)
  }
  switch (typeName) {
    case 'PEM': {
      if (storePassword !== undefined) fail('SSL key store password cannot be specified with PEM format, only key password may be specified')
      const text = bytes.toString('utf8')
      return pemIdentity(text, text, location.key, location.key, keyPassword?.value, fail)
    }
    case 'JKS':
      if (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC) {
        return fail(
          `${location.value} (${location.key}) is a JKS keystore${type === undefined ? ' (ssl.keystore.type defaults to JKS)' : ''}; kafka-ts cannot read JKS. Convert it to PKCS12 (keytool -importkeystore -deststoretype PKCS12) or PEM and set ssl.keystore.type`,
        )
      }
      if (bytes[0] !== 0x30) {
        return fail(`${location.value} (${location.key}) is not a keystore of type JKS or PKCS12; for a PEM file set ssl.keystore.type=PEM`)
      }
      return pkcs12Identity(bytes, location.key, storePassword?.value, keyPassword?.value)
    case 'PKCS12':
      return pkcs12Identity(bytes, location.key, storePassword?.value, keyPassword?.value)
    default:
      return fail(`Invalid value ${type?.value ?? ''} for configuration ${type?.key ?? 'ssl.keystore.type'}: kafka-ts reads PEM and PKCS12 keystores`)
  }
}

function pkcs12Identity(pfx: Buffer, from: string, storePassword: string | undefined, keyPassword: string | undefined): Identity {
  const passphrase = storePassword ?? keyPassword
  return { pfx, ...(passphrase === undefined ? {} : { passphrase }), keyFrom: from }
}

function pemIdentity(keyText: string, chainText: string, keyFrom: string, chainFrom: string, password: string | undefined, fail: Fail): Identity {
  const keys = pemBlocks(keyText).filter((b) => b.label.endsWith('PRIVATE KEY'))
  const certs = pemBlocks(chainText).filter((b) => b.label === 'CERTIFICATE')
  if (keys.length !== 1) return fail(`${keyFrom}: expected one PEM private key, found ${keys.length}`)
  if (certs.length === 0) return fail(`${chainFrom}: no PEM certificate found`)
  const key = keys[0]?.text ?? ''
  if (/ENCRYPTED/.test(keys[0]?.label ?? '') || /Proc-Type: 4,ENCRYPTED/.test(key)) {
    if (password === undefined) fail(`${keyFrom}: the private key is encrypted and ssl.key.password is not set`)
  }
  try {
    createPrivateKey({ key, format: 'pem', ...(password === undefined ? {} : { passphrase: password }) })
  } catch (err) {
    fail(`${keyFrom}: cannot read the private key${password === undefined ? '' : ' with ssl.key.password'}: ${errorMessage(err)}`)
  }
  for (const c of certs) {
    try {
      new X509Certificate(c.text)
    } catch (err) {
      fail(`${chainFrom}: invalid certificate: ${errorMessage(err)}`)
    }
  }
  return {
    key: [{ pem: key, ...(password === undefined ? {} : { passphrase: password }) }],
    cert: certs.map((c) => c.text).join('\n'),
    keyFrom,
  }
}

function truststore(get: Getter, fail: Fail): string | undefined {
  const type = get('ssl.truststore.type')
  const typeName = (type?.value.trim() || 'JKS').toUpperCase()
  const inline = get('ssl.truststore.certificates')
  const location = get('ssl.truststore.location')
  if (inline === undefined && location === undefined) return undefined
  if (typeName !== 'PEM') {
    return fail(
      `ssl.truststore.type ${typeName}${type === undefined ? ' (the default)' : ''} is not supported by kafka-ts; give the CA certificates as PEM (ssl.truststore.type=PEM with ${location?.key ?? inline?.key ?? 'ssl.truststore.location'})`,
    )
  }
  let text: string
  let from: string
  if (inline !== undefined) {
    if (location !== undefined) fail(`${location.key} cannot be combined with ${inline.key}`)
    text = inline.value
    from = inline.key
  } else {
    from = location?.key ?? ''
    try {
      text = fs.readFileSync(location?.value ?? '', 'utf8')
    } catch (err) {
      return fail(`Failed to load SSL truststore ${location?.value ?? ''} of type PEM (${from}): ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`)
    }
  }
  const certs = pemBlocks(text).filter((b) => b.label === 'CERTIFICATE')
  if (certs.length === 0) return fail(`${from}: no PEM certificate found`)
  for (const c of certs) {
    try {
      new X509Certificate(c.text)
    } catch (err) {
      fail(`${from}: invalid certificate: ${errorMessage(err)}`)
    }
  }
  return certs.map((c) => c.text).join('\n')
}

/** The `-----BEGIN X-----` … `-----END X-----` blocks of a PEM text (inline values may lack line breaks). */
function pemBlocks(text: string): { label: string; text: string }[] {
  const blocks: { label: string; text: string }[] = []
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const label = m[1] ?? ''
    const body = m[2] ?? ''
    // Keep RFC 1421 headers (Proc-Type, DEK-Info) of legacy encrypted keys; re-wrap base64 otherwise.
    const headers = body.match(/^\s*(?:[A-Za-z-]+:.*\n)+/)?.[0] ?? ''
    const base64 = body.slice(headers.length).replace(/\s+/g, '')
    const wrapped = base64.match(/.{1,64}/g)?.join('\n') ?? ''
    blocks.push({ label, text: `-----BEGIN ${label}-----\n${headers.trim() === '' ? '' : `${headers.trim()}\n\n`}${wrapped}\n-----END ${label}-----\n` })
  }
  return blocks
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
