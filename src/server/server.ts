import net from 'node:net'
import tls from 'node:tls'

import type { Broker } from '../broker/broker.js'
import type { BrokerConfig } from '../broker/broker-config.js'
import { Connection } from './connection.js'
import type { Endpoint } from './handler.js'
import { createRegistry, type Registry } from './registry.js'
import { listenerSasl } from './sasl/listener-sasl.js'
import { listenerTls, type ClientAuth } from './tls.js'

// The TCP side of the broker: one net.Server per listener (a tls.Server for SSL and SASL_SSL
// listeners, see tls.ts), a Connection per client, and a graceful stop (stop accepting, let in-flight requests finish and answer, close the sockets).

export interface StartOptions {
  readonly broker: Broker
  readonly config: BrokerConfig
  readonly log: (line: string) => void
  readonly registry?: Registry
}

export interface BoundListener {
  readonly name: string
  readonly host: string
  readonly port: number
}

export interface KafkaServer {
  readonly listeners: readonly BoundListener[]
  close(): Promise<void>
}

/** A listener's address could not be bound (taken, not local, no permission). */
export class ListenError extends Error {
  override readonly name = 'ListenError'
}

/** How often idle groups get their timers fired (Kafka's timers are ~ms-exact; a second is close enough). */
const GROUP_TICK_INTERVAL_MS = 1000

export async function startKafkaServer(opts: StartOptions): Promise<KafkaServer> {
  const { broker, config, log } = opts
  const registry = opts.registry ?? createRegistry()
  const connections = new Set<Connection>()
  const servers: net.Server[] = []
  const bound: BoundListener[] = []
  /** Per TLS listener: ends the connections still in their handshake (not yet Connections). */
  const handshaking: (() => void)[] = []

  // The KRaft controller listener of Kafka's sample configs has no meaning for a single kafka-ts node.
  for (const listener of config.listeners.filter((l) => !config.controllerListenerNames.includes(l.name))) {
    let sasl
    let secure
    try {
      sasl = listenerSasl(config, listener, log, (mechanism, user) => broker.scramCredential(mechanism, user))
      secure = listenerTls(config, listener)
    } catch (err) {
      for (const s of servers) s.close()
      throw err
    }
    const server = secure === undefined ? net.createServer() : tls.createServer(secure.options)
    const host = listener.host === '' ? '0.0.0.0' : listener.host
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host, port: listener.port }, () => {
        server.off('error', reject)
        resolve()
      })
    }).catch((err: NodeJS.ErrnoException) => {
      for (const s of servers) s.close()
      throw new ListenError(`Cannot listen on ${listener.name}://${host}:${listener.port}: ${err.code ?? err.message}`)
    })
    const address = server.address() as net.AddressInfo
    const advertised = advertisedEndpoint(config, listener.name, listener.host, address.port)
    bound.push({ name: listener.name, host: advertised.host, port: address.port })
    const accept = (socket: net.Socket) => {
      const conn = new Connection(socket, {
        registry,
        context: { broker, config, log },
        advertised,
        maxFrameSize: config.socketRequestMaxBytes,
        sasl,
        onClose: (c) => connections.delete(c),
      })
      connections.add(conn)
    }
    if (secure === undefined) server.on('connection', accept)
    else handshaking.push(acceptTls(server as tls.Server, secure.clientAuth, accept, log))
    servers.push(server)
  }
  // Session timeouts, rebalance timeouts and offset retention fire lazily when a group is touched; the
  // tick moves idle groups on too (a consumer that died with no one else in its group).
  const groupTicker = setInterval(() => {
    try {
      broker.groups.tick()
    } catch (err) {
      log(`[GroupCoordinator] periodic tick failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }, GROUP_TICK_INTERVAL_MS)
  groupTicker.unref()
  const logCleaner = broker.startLogCleaner(log)
  const transactionTimers = broker.startTransactionTimers(log)
  log(
    `[KafkaServer id=${broker.nodeId}] started (kafka-ts) listening on ${bound.map((l) => `${l.name}://${l.host}:${l.port}`).join(', ')}, cluster id ${broker.clusterId}`,
  )

  let closing: Promise<void> | undefined
  return {
    listeners: bound,
    close() {
      closing ??= (async () => {
        clearInterval(groupTicker)
        logCleaner.stop()
        transactionTimers.stop()
        // Parked JoinGroup/SyncGroup calls would hold the drain below for up to a rebalance timeout:
        // closing the coordinator answers them (COORDINATOR_NOT_AVAILABLE, so clients look for it again).
        broker.groups.close()
        const stopped = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))
        // A client that never finishes its TLS handshake would hold close() for the handshake timeout.
        for (const endHandshakes of handshaking) endHandshakes()
        await Promise.all([...connections].map((c) => c.drainAndClose()))
        await Promise.all(stopped)
        log(`[KafkaServer id=${broker.nodeId}] shut down completed`)
      })()
      return closing
    },
  }
}

/**
 * Hands TLS connections to `accept` once their handshake is done; a failed handshake is logged as
 * Kafka does ("Failed authentication with /<ip> (SSL handshake failed)") and never reaches a Connection.
 * Returns what ends the handshakes still in progress (for close()).
 */
function acceptTls(server: tls.Server, clientAuth: ClientAuth, accept: (socket: net.Socket) => void, log: (line: string) => void): () => void {
  const peer = (s: net.Socket) => `/${s.remoteAddress?.replace(/^::ffff:/, '') ?? ''}`
  const key = (s: net.Socket) => `${s.remoteAddress ?? ''}:${s.remotePort ?? ''}`
  // The raw sockets whose handshake is in progress, by peer address (the TLS socket wraps the raw one).
  const pending = new Map<string, net.Socket>()
  server.on('connection', (raw: net.Socket) => {
    const k = key(raw)
    pending.set(k, raw)
    raw.once('close', () => {
      if (pending.get(k) === raw) pending.delete(k)
    })
  })
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    pending.delete(key(socket))
    // ssl.client.auth=requested: no certificate is fine, an untrusted one is not.
    if (clientAuth === 'requested' && !socket.authorized && Object.keys(socket.getPeerCertificate()).length > 0) {
      log(`Failed authentication with ${peer(socket)} (SSL handshake failed: ${String(socket.authorizationError)})`)
      socket.destroy()
      return
    }
    accept(socket)
  })
  server.on('tlsClientError', (err, socket) => {
    log(`Failed authentication with ${peer(socket)} (SSL handshake failed: ${err.message})`)
    socket.destroy()
  })
  return () => {
    for (const raw of pending.values()) raw.destroy()
  }
}

/**
 * What clients are told to connect to for this listener: advertised.listeners when set, else the
 * bound address (with the real port when the configured one was 0, and the machine's name when the
 * host was left empty).
 */
function advertisedEndpoint(config: BrokerConfig, name: string, host: string, boundPort: number): Endpoint {
  const adv = config.advertisedListeners.find((l) => l.name === name)
  if (adv && adv.host !== '' && adv.port !== 0) return { host: adv.host, port: adv.port }
  const h = adv?.host || host || 'localhost'
  return { host: h === '0.0.0.0' || h === '::' ? 'localhost' : h, port: boundPort }
}
