import { Admin, type BaseOptions } from '@platformatic/kafka'

import type { ConnectionSettings } from './client-properties.js'

// What remains of @platformatic/kafka in remote mode: its Admin, through the methods its package exports
// and documents (metadata, listTopics, createTopics, deleteTopics, createPartitions, listOffsets,
// deleteRecords), for the topic administration remote-client.ts has not moved onto our own connection
// layer (wire/) yet. Produce, Fetch, group membership, the group admin calls and the config calls run
// on wire/ and our generated codec (issue 12); nothing here reaches into the library's internals.

/** The library's client options for our connection settings. */
export function libraryOptions(settings: ConnectionSettings): BaseOptions {
  const tls = settings.tls
  return {
    clientId: settings.clientId,
    bootstrapBrokers: [...settings.bootstrap],
    connectTimeout: settings.connectTimeoutMs,
    timeout: settings.requestTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retries: settings.retries,
    retryDelay: settings.retryBackoffMs,
    ...(settings.sasl === undefined ? {} : { sasl: { mechanism: settings.sasl.mechanism, username: settings.sasl.username, password: settings.sasl.password } }),
    ...(tls === undefined
      ? {}
      : {
          tls: {
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            ...(tls.pfx === undefined ? {} : { pfx: tls.pfx }),
            ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
            rejectUnauthorized: true,
            ...(tls.checkHostname ? {} : { checkServerIdentity: () => undefined }),
          },
        }),
  }
}

export function newAdmin(settings: ConnectionSettings): Admin {
  return new Admin(libraryOptions(settings))
}
