import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

// Throwaway TLS material for the SSL / SASL_SSL tests, made with the `openssl` command in a temp
// directory at test time (nothing private is committed). EC P-256 keys keep generation fast.
//
//   ca.pem                 the test CA that signs everything below
//   server.pem/.key        CN=localhost, SAN IP:127.0.0.1 + DNS:localhost
//   server-keystore.pem    server key + chain in one file (Kafka's PEM keystore layout)
//   server-enc.key         the server key as encrypted PKCS#8 (password KEY_PASSWORD)
//   server.p12             PKCS12 keystore (password STORE_PASSWORD)
//   other-host.pem/.key    signed by the CA but only for DNS:other.example
//   client.pem/.key        CN=alice, a client certificate for ssl.client.auth
//   rogue-ca.pem, rogue-server.pem/.key  a CA nobody trusts and a 127.0.0.1 certificate from it

export const KEY_PASSWORD = 'key-secret'
export const STORE_PASSWORD = 'store-secret'

export interface TestCerts {
  readonly dir: string
  file(name: string): string
  read(name: string): string
}

/** Undefined when `openssl` can run; otherwise why not. */
export function opensslMissing(): string | undefined {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' })
  if (r.error) return `openssl not runnable (${r.error.message}); install the Debian package \`openssl\``
  if (r.status !== 0) return `\`openssl version\` exited ${r.status}`
  return undefined
}

/** Prints why TLS tests are skipped and returns true when openssl is missing. */
export function skipWithoutOpenssl(): boolean {
  const missing = opensslMissing()
  if (missing === undefined) return false
  if (process.env['KAFKA_TS_REQUIRE_INTEROP'] === '1') return false
  console.warn(`[tls] skipping TLS tests: ${missing} (set KAFKA_TS_REQUIRE_INTEROP=1 to make this a failure)`)
  return true
}

function openssl(dir: string, args: readonly string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`)
}

function key(dir: string, name: string): void {
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name])
}

function selfSignedCa(dir: string, name: string, cn: string): void {
  key(dir, `${name}.key`)
  openssl(dir, ['req', '-x509', '-new', '-key', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`])
}

function signed(dir: string, name: string, ca: string, cn: string, san: string | undefined): void {
  key(dir, `${name}.key`)
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`])
  const ext = `${name}.ext`
  fs.writeFileSync(path.join(dir, ext), `basicConstraints=CA:FALSE\n${san === undefined ? '' : `subjectAltName=${san}\n`}`)
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', ext])
}

export function makeTestCerts(dir: string): TestCerts {
  fs.mkdirSync(dir, { recursive: true })
  selfSignedCa(dir, 'ca', 'kafka-ts test CA')
  signed(dir, 'server', 'ca', 'localhost', 'IP:127.0.0.1,DNS:localhost')
  signed(dir, 'other-host', 'ca', 'other.example', 'DNS:other.example')
  signed(dir, 'client', 'ca', 'alice', undefined)
  selfSignedCa(dir, 'rogue-ca', 'untrusted CA')
  signed(dir, 'rogue-server', 'rogue-ca', 'localhost', 'IP:127.0.0.1,DNS:localhost')
  openssl(dir, ['pkcs8', '-topk8', '-in', 'server.key', '-out', 'server-enc.key', '-passout', `pass:${KEY_PASSWORD}`])
  openssl(dir, ['pkcs12', '-export', '-in', 'server.pem', '-inkey', 'server.key', '-certfile', 'ca.pem', '-out', 'server.p12', '-passout', `pass:${STORE_PASSWORD}`])
  const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8')
  for (const [store, k, c] of [
    ['server-keystore.pem', 'server.key', 'server.pem'],
    ['other-host-keystore.pem', 'other-host.key', 'other-host.pem'],
    ['rogue-keystore.pem', 'rogue-server.key', 'rogue-server.pem'],
    ['client-keystore.pem', 'client.key', 'client.pem'],
  ] as const) {
    fs.writeFileSync(path.join(dir, store), read(k) + read(c))
  }
  return { dir, file: (name) => path.join(dir, name), read }
}
