// The house is enforced, not only stated: imports that cross a layer the wrong way are lint errors
// (eslint.config.js), whatever the depth of the importing file. Each probe is linted as if it were a file
// at that path in src/, with the project's own configuration.

import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const RULE = '@typescript-eslint/no-restricted-imports'
// Only the import rule runs, so the probes need no type information (they exist nowhere on disk).
const eslint = new ESLint({
  cwd: process.cwd(),
  ruleFilter: ({ ruleId }) => ruleId === RULE,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
})

async function refused(filePath: string, specifier: string, typeOnly = false): Promise<boolean> {
  const code = typeOnly ? `import type { X } from '${specifier}'\nexport type Y = X\n` : `import '${specifier}'\n`
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).some((m) => m.ruleId === RULE)
}

describe('imports against the flow are refused', () => {
  it.each([
    ['src/util/zz-probe.ts', '../broker/broker.js'],
    ['src/protocol/zz-probe.ts', '../storage/log-store.js'],
    ['src/protocol/messages/zz-probe.ts', '../../broker/kafka-error.js'],
    ['src/storage/zz-probe.ts', './sqlite/pragmas.js'],
    ['src/storage/sqlite/zz-probe.ts', '../../protocol/record-batch.js'],
    ['src/broker/zz-probe.ts', '../server/server.js'],
    ['src/broker/groups/zz-probe.ts', '../../cli/errors.js'],
    ['src/broker/groups/zz-probe.ts', '../../protocol/messages/join-group.js'],
    ['src/broker/zz-probe.ts', '../storage/sqlite/sqlite-log-store.js'],
    ['src/client/embedded/zz-probe.ts', '../../cli/errors.js'],
    ['src/client/remote/zz-probe.ts', '../../storage/log-store.js'],
    ['src/server/handlers/zz-probe.ts', '../../storage/log-store.js'],
    ['src/server/zz-probe.ts', '../client/kafka-client.js'],
    ['src/cli/render/zz-probe.ts', '../../server/server.js'],
    ['src/cli/zz-probe.ts', '../commands/topics.js'],
    ['src/commands/zz-probe.ts', './topics.js'],
    ['src/commands/storage/zz-probe.ts', '../topics.js'],
    ['src/commands/zz-probe.ts', '../protocol/messages/fetch.js'],
    ['src/commands/server-start.ts', '../server/handlers/produce.js'],
    ['src/commands/broker-api-versions.ts', '../server/handlers/api-versions.js'],
    ['src/commands/broker-api-versions.ts', '../server/server.js'],
  ])('%s importing %s', async (file, specifier) => {
    expect(await refused(file, specifier)).toBe(true)
    expect(await refused(file, specifier, true)).toBe(true)
  })
})

describe('imports along the flow are allowed', () => {
  it.each([
    ['src/protocol/zz-probe.ts', '../util/kafka-uuid.js'],
    ['src/broker/groups/zz-probe.ts', '../../storage/log-store.js'],
    ['src/broker/zz-probe.ts', '../protocol/record-batch.js'],
    ['src/broker/open-broker.ts', '../storage/sqlite/sqlite-log-store.js'],
    ['src/client/remote/zz-probe.ts', '../../protocol/messages/fetch.js'],
    ['src/server/handlers/zz-probe.ts', '../../broker/broker.js'],
    ['src/cli/zz-probe.ts', '../client/kafka-client.js'],
    ['src/commands/storage/zz-probe.ts', '../../cli/errors.js'],
    ['src/commands/server-start.ts', '../server/server.js'],
    ['src/commands/broker-api-versions.ts', '../server/registry.js'],
  ])('%s importing %s', async (file, specifier) => {
    expect(await refused(file, specifier)).toBe(false)
  })
})
