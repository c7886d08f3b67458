import type { Broker } from '../broker/broker.js'
import { EmbeddedClient } from './embedded/embedded-client.js'
import type { KafkaClient } from './kafka-client.js'

// Where a command's client comes from: the broker core in this process, or — loaded only when asked
// for, so embedded commands never pay for the client library — a remote client.

export function embeddedClient(broker: Broker, dataDir: string): KafkaClient {
  return new EmbeddedClient(broker, dataDir)
}

export async function remoteClient(bootstrap: string, props: ReadonlyMap<string, string>, defaultClientId: string): Promise<KafkaClient> {
  const [{ connectionSettings }, { RemoteClient }] = await Promise.all([import('./remote/client-properties.js'), import('./remote/remote-client.js')])
  return new RemoteClient(connectionSettings(bootstrap, props, defaultClientId))
}
