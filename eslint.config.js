// Type-aware linting (floating promises hide in socket and stream handlers) plus the layering
// rules of the project: imports flow commands → cli → broker → storage; server → protocol + broker.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const layer = (files, patterns) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
})
const deny = (group, message) => ({ group, message, allowTypeImports: false })

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'oclif.manifest.json', '**/*.js', '**/*.mjs'] },
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
  layer(['src/protocol/**/*.ts'], [deny(['../broker/*', '../storage/*', '../server/*', '../cli/*', '../commands/*', '../../*'], 'src/protocol is a pure codec: it imports nothing of the project.')]),
  layer(['src/storage/**/*.ts'], [deny(['**/broker/*', '**/protocol/*', '**/server/*', '**/cli/*', '**/commands/*'], 'src/storage knows only its own types.')]),
  layer(['src/broker/**/*.ts'], [deny(['../server/*', '../cli/*', '../commands/*'], 'The broker core is below the front ends.')]),
  layer(['src/server/**/*.ts'], [deny(['**/storage/sqlite/*', '**/cli/*', '**/commands/*'], 'The server talks to the broker, never to SQLite or the CLI.')]),
  layer(['src/cli/**/*.ts', 'src/commands/**/*.ts'], [deny(['**/protocol/*', '**/protocol/**', '**/storage/*', '**/storage/**', '**/server/*', '**/server/**'], 'Commands and the CLI use the broker facade (src/broker), not protocol, storage or server internals.')]),
  // Composition root of the wire server (style.md §2.1): it alone wires the server into a command.
  layer(['src/commands/server-start.ts'], [deny(['**/protocol/*', '**/storage/*', '**/storage/**', '**/server/handlers/*'], 'server-start wires the broker into the server; nothing else.')]),
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
)
