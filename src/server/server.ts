import net from 'node:net'

import type { Broker } from '../broker/broker.js'
import type { BrokerConfig } from '../broker/broker-config.js'
import { Connection } from './connection.js'
import type { Endpoint } from './handler.js'
import { createRegistry, type Registry } from './registry.js'

// The TCP side of the broker: one net.Server per listener, a Connection per client, and a
// graceful stop (stop accepting, let in-flight requests finish and answer, close the sockets).

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

export async function startKafkaServer(opts: StartOptions): Promise<KafkaServer> {
  const { broker, config, log } = opts
  const registry = opts.registry ?? createRegistry()
  const connections = new Set<Connection>()
  const servers: net.Server[] = []
  const bound: BoundListener[] = []

  // The KRaft controller listener of Kafka's sample configs has no meaning for a single kafka-ts node.
  for (const listener of config.listeners.filter((l) => !config.controllerListenerNames.includes(l.name))) {
    const server = net.createServer()
    const host = listener.host === '' ? '0.0.0.0' : listener.host
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host, port: listener.port }, () => {
        server.off('error', reject)
        resolve()
      })
    }).catch((err: NodeJS.ErrnoException) => {
      for (const s of servers) s.close()
      throw new Error(`Cannot listen on ${listener.name}://${host}:${listener.port}: ${err.code ?? err.message}`)
    })
    const address = server.address() as net.AddressInfo
    const advertised = advertisedEndpoint(config, listener.name, listener.host, address.port)
    bound.push({ name: listener.name, host: advertised.host, port: address.port })
    server.on('connection', (socket) => {
      const conn = new Connection(socket, {
        registry,
        context: { broker, config, log },
        advertised,
        maxFrameSize: config.socketRequestMaxBytes,
        onClose: (c) => connections.delete(c),
      })
      connections.add(conn)
    })
    servers.push(server)
  }
  log(
    `[KafkaServer id=${broker.nodeId}] started (kafka-ts) listening on ${bound.map((l) => `${l.name}://${l.host}:${l.port}`).join(', ')}, cluster id ${broker.clusterId}`,
  )

  let closing: Promise<void> | undefined
  return {
    listeners: bound,
    close() {
      closing ??= (async () => {
        const stopped = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))
        await Promise.all([...connections].map((c) => c.drainAndClose()))
        await Promise.all(stopped)
        log(`[KafkaServer id=${broker.nodeId}] shut down completed`)
      })()
      return closing
    },
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
