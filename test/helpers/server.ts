import { spawn, type ChildProcess } from 'node:child_process'

import { afterEach } from 'vitest'

import { openBroker } from '../../src/broker/open-broker.js'
import { brokerConfigFrom } from '../../src/broker/broker-config.js'
import type { Broker } from '../../src/broker/broker.js'
import { startKafkaServer, type KafkaServer } from '../../src/server/server.js'
import { BIN, tempDir } from './cli.js'
import { RawConnection } from './raw-client.js'

export interface TestServer {
  readonly port: number
  /** host:port for clients. */
  readonly bootstrap: string
  readonly dataDir: string
  readonly broker: Broker
  readonly logs: string[]
  stop(): Promise<void>
}

/**
 * An in-process broker on 127.0.0.1 with a free port, over a fresh temp data directory (or the
 * given one). `stop()` closes the server, the store and removes a temp directory it created.
 */
export async function startTestServer(opts: { dataDir?: string; props?: Record<string, string> } = {}): Promise<TestServer> {
  const own = opts.dataDir === undefined ? tempDir('kafka-ts-server-') : undefined
  const dataDir = opts.dataDir ?? own!.dir
  const config = brokerConfigFrom(new Map(Object.entries({ 'node.id': '1', listeners: 'PLAINTEXT://127.0.0.1:0', ...opts.props })))
  const broker = openBroker({ dataDir, initialize: 'auto', config })
  const logs: string[] = []
  let server: KafkaServer
  try {
    server = await startKafkaServer({ broker, config, log: (line) => logs.push(line) })
  } catch (err) {
    broker.close()
    own?.cleanup()
    throw err
  }
  const port = server.listeners[0]?.port ?? 0
  return {
    port,
    bootstrap: `127.0.0.1:${port}`,
    dataDir,
    broker,
    logs,
    async stop() {
      await server.close()
      broker.close()
      own?.cleanup()
    },
  }
}

/** `kafka-ts server-start` as a real process; resolves once it logged its listening address. */
export async function startServerProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'server-start', ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()))
  child.stdout?.on('data', (c: Buffer) => (err += c.toString()))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 20_000)
    const check = () => {
      const m = /listening on \w+:\/\/[^:\s]+:(\d+)/.exec(err)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    }
    child.stderr?.on('data', check)
    child.stdout?.on('data', check)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}: ${err}`))
    })
  })
  return { child, port, stderr: () => err }
}

/**
 * For a test file whose tests each start one in-process server and open raw connections to it: `start`
 * and `open` register what they create, and an afterEach closes the connections and stops the server
 * (unless the test stopped it itself and said so with `forget`).
 */
export function serverEachTest(): {
  start: (props?: Record<string, string>) => Promise<TestServer>
  open: (s: TestServer, clientId?: string) => Promise<RawConnection>
  forget: () => void
} {
  let server: TestServer | undefined
  const conns: RawConnection[] = []
  afterEach(async () => {
    for (const c of conns.splice(0)) c.close()
    await server?.stop()
    server = undefined
  })
  return {
    start: async (props = {}) => {
      server = await startTestServer({ props })
      return server
    },
    open: async (s, clientId) => {
      const c = await RawConnection.open(s.port, clientId === undefined ? {} : { clientId })
      conns.push(c)
      return c
    },
    forget: () => {
      server = undefined
    },
  }
}
