// Type-aware linting (floating promises hide in socket and stream handlers) plus the layering
// rules of the project: imports flow commands → cli → broker → storage; server → protocol + broker.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const layer = (files, patterns) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
})
const deny = (group, message) => ({ group, message, allowTypeImports: false })

/** What each top-level folder of src/ may import besides itself. */
const HOUSE = {
  util: [],
  protocol: ['util'],
  storage: ['util'],
  broker: ['storage', 'protocol', 'util'],
  client: ['broker', 'protocol', 'util'],
  server: ['broker', 'protocol', 'util'],
  cli: ['client', 'broker', 'util'],
  commands: ['cli', 'client', 'broker', 'util'],
}
const LAYER_NAMES = Object.keys(HOUSE)
const layerMessage = (name) => `src/${name} may import only ${HOUSE[name].length === 0 ? 'itself' : HOUSE[name].map((n) => `src/${n}`).join(', ')} (the house in README, Development).`
const houseLayers = () =>
  LAYER_NAMES.map((name) =>
    layer([`src/${name}/**/*.ts`], [deny(LAYER_NAMES.filter((n) => n !== name && !HOUSE[name].includes(n)).map((n) => `**/${n}/**`), layerMessage(name))]),
  )

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'oclif.manifest.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  // The house (README, Development): commands → cli → client → broker → storage; server → broker;
  // protocol/ and util/ are the ground. Each layer lists what it may import; everything else is denied at
  // every depth, type-only imports included.
  ...houseLayers(),
  // Inside a layer: the storage port never names its SQLite adapter (open-broker.ts, the composition
  // root, wires them); the broker reaches the adapter only there; a command never imports another.
  layer(['src/storage/*.ts'], [deny(['./sqlite/*', '**/storage/sqlite/**'], 'The storage port (src/storage/*.ts) knows nothing of its SQLite adapter.')]),
  layer(['src/broker/**/*.ts'], [
    deny(LAYER_NAMES.filter((n) => !HOUSE.broker.includes(n)).map((n) => `**/${n}/**`), layerMessage('broker')),
    deny(['**/storage/sqlite/**', '**/protocol/messages/**'], 'The broker core uses the storage port and protocol helpers, never the SQLite adapter or the API codecs (open-broker.ts alone wires the adapter in).'),
  ]),
  layer(['src/broker/open-broker.ts'], [deny(LAYER_NAMES.filter((n) => !HOUSE.broker.includes(n)).map((n) => `**/${n}/**`), layerMessage('broker'))]),
  layer(['src/commands/**/*.ts'], [
    deny(LAYER_NAMES.filter((n) => !HOUSE.commands.includes(n)).map((n) => `**/${n}/**`), layerMessage('commands')),
    deny(['./*', '../*.js', '**/commands/**'], 'A command imports no other command: what two commands share lives in src/cli.'),
  ]),
  // Composition root of the wire server (style.md §2.1): it alone wires the server into a command.
  layer(['src/commands/server-start.ts'], [
    deny(LAYER_NAMES.filter((n) => ![...HOUSE.commands, 'server'].includes(n)).map((n) => `**/${n}/**`), layerMessage('commands')),
    deny(['**/server/handlers/**'], 'server-start wires the broker into the server; nothing else.'),
  ]),
  // broker-api-versions, embedded, shows what the server advertises: the registry's ranges and nothing else.
  layer(['src/commands/broker-api-versions.ts'], [
    deny(LAYER_NAMES.filter((n) => ![...HOUSE.commands, 'server'].includes(n)).map((n) => `**/${n}/**`), layerMessage('commands')),
    deny(['**/server/handlers/**', '**/server/server*', '**/server/connection*', '**/server/sasl/**', '**/server/tls*'], 'broker-api-versions reads the server registry only.'),
  ]),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // The JavaScript tooling (bin, the build and generator scripts, the benchmarks) is linted too, without
  // type information; like test/ it may import anything it builds or measures.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { ...globals.node } },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
)
