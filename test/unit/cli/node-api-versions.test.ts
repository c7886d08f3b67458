import fs from 'node:fs'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { KAFKA_APIS } from '../../../src/cli/api-versions/kafka-apis.js'
import { renderBrokerApiVersions } from '../../../src/cli/api-versions/node-api-versions.js'
import { REPO_ROOT } from '../protocol/messages/spec-model.js'

// kafka-broker-api-versions' text (NodeApiVersions.toString(true), Kafka 4.3) and the client API table it is
// read with, checked against Kafka 4.3.1's request specs.

const SPEC_DIR = path.resolve(REPO_ROOT, '../shared/kafka-reference/kafka-4/messages')
const node = { nodeId: 3, host: 'kafka-1', port: 9092, rack: 'r1' }

describe('the Kafka 4.3 client API table', () => {
  it.skipIf(!fs.existsSync(SPEC_DIR))('lists every request spec with its valid versions and whether brokers serve it', () => {
    const fromSpecs = fs
      .readdirSync(SPEC_DIR)
      .filter((f) => f.endsWith('Request.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(SPEC_DIR, f), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { apiKey: number; name: string; validVersions: string; listeners?: string[] })
      .map((s) => {
        const [oldest, latest] = s.validVersions === 'none' ? [0, -1] : s.validVersions.split('-').map(Number).concat(Number(s.validVersions.split('-').at(-1)))
        return [s.apiKey, s.name.replace(/Request$/, ''), oldest, latest, (s.listeners ?? []).includes('broker')]
      })
      .sort((a, b) => (a[0] as number) - (b[0] as number))
    expect(KAFKA_APIS).toEqual(fromSpecs)
  })
})

describe('renderBrokerApiVersions', () => {
  it('marks each listed API usable, too new or too old, names unknown keys, and lists missing broker APIs as UNSUPPORTED', () => {
    const text = renderBrokerApiVersions({
      node,
      apis: [
        { apiKey: 18, minVersion: 0, maxVersion: 9 },
        { apiKey: 0, minVersion: 14, maxVersion: 15 },
        { apiKey: 1, minVersion: 0, maxVersion: 3 },
        { apiKey: 75, minVersion: 0, maxVersion: 0 },
        { apiKey: 500, minVersion: 1, maxVersion: 2 },
      ],
    })
    const lines = text.split('\n')
    expect(lines[0]).toBe('kafka-1:9092 (id: 3 rack: r1 isFenced: false) -> (')
    expect(lines.slice(1, 5)).toEqual(['\tProduce(0): 14 to 15 [unusable: node too new],', '\tFetch(1): 0 to 3 [unusable: node too old],', '\tListOffsets(2): UNSUPPORTED,', '\tMetadata(3): UNSUPPORTED,'])
    expect(lines).toContain('\tApiVersions(18): 0 to 9 [usable: 4],')
    expect(lines).toContain('\tDescribeTopicPartitions(75): 0 [usable: 0],')
    // Controller-only APIs are not the client's to list.
    expect(text).not.toContain('Vote(52)')
    expect(lines.slice(-3)).toEqual(['\tUNKNOWN(500): 1 to 2', ')', ''])
  })

  it('prints a broker that could not be asked as ERROR with the reason', () => {
    expect(renderBrokerApiVersions({ node: { ...node, rack: null }, error: 'Connection refused' })).toBe('kafka-1:9092 (id: 3 rack: null isFenced: false) -> ERROR: Connection refused\n')
  })
})
