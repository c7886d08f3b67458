#!/usr/bin/env node
// Bundles the CLI's runtime into ESM files in dist/: each command (dist/commands/, where oclif finds
// them), the entry bin/run.js imports (dist/cli/main.js), the help class and hooks oclif loads by path.
// Why, for cold start (`kafka-ts topics --list` runs dozens of times in a shell script):
// - Node loads ESM modules one file at a time; a command touching ~40 project modules paid ~35 ms for that.
// - @oclif/core is bundled too (one shared chunk instead of ~70 CommonJS files resolved one by one).
//   Other npm packages stay external: native addons, and remote mode's client library.
// - Code splitting keeps each dynamic import() a chunk of its own (dist/chunks/): without it esbuild
//   inlined the remote client into every command and hoisted its static imports (@platformatic/kafka,
//   which loads ajv and avsc) to the top of the bundle, so an embedded `topics --list` paid for remote
//   mode. Code shared by several commands lands in chunks too; a command loads only those it imports.
// tsc still emits every module to dist/ for tests, benches and worker scripts.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { createRequire } from 'node:module'

import { build } from 'esbuild'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const src = path.join(root, 'src', 'commands')
const entryPoints = []
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) walk(p)
    else if (e.name.endsWith('.ts')) entryPoints.push(p)
  }
}
walk(src)
// Modules oclif loads by path besides the commands: the runtime entry, the help class, hooks.
for (const m of ['main.ts', 'help.ts', 'hooks/command-not-found.ts']) entryPoints.push(path.join(root, 'src', 'cli', m))
// Packages oclif requires at the top of its modules but uses only on rarer paths (plugin patterns,
// command discovery without a manifest, help templates, spinners, wrapped error text): bundled behind a
// proxy that loads the package on first use, so a start does not compile and run them.
const LAZY = ['minimatch', 'tinyglobby', 'ejs', 'cli-spinners', 'wrap-ansi']
const oclifRequire = createRequire(createRequire(import.meta.url).resolve('@oclif/core'))
const lazyOclifDeps = {
  name: 'lazy-oclif-deps',
  setup(b) {
    const filter = new RegExp(`^(${LAZY.join('|')})$`)
    b.onResolve({ filter }, (args) => {
      if (args.pluginData?.real || !/[\\/]@oclif[\\/]core[\\/]/.test(args.importer)) return undefined
      return { path: args.path, namespace: 'lazy-oclif-dep' }
    })
    b.onLoad({ filter: /.*/, namespace: 'lazy-oclif-dep' }, (args) => {
      // What oclif's __importDefault checks at require time, answered without loading the package.
      const esModule = Boolean(oclifRequire(args.path).__esModule)
      return {
        resolveDir: path.dirname(oclifRequire.resolve(args.path)),
        pluginData: { real: true },
        contents: `let real
const load = () => (real ??= require(${JSON.stringify(oclifRequire.resolve(args.path))}))
module.exports = new Proxy(function () {}, {
  apply: (_, self, argv) => load().apply(self, argv),
  get: (_, key) => (key === '__esModule' ? ${esModule} : load()[key]),
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => ({ ...Reflect.getOwnPropertyDescriptor(load(), key), configurable: true }),
})
`,
      }
    })
  },
}
// Node's built-in modules, as the project's ES modules import them. An `import` of a builtin makes Node
// build an ES module facade that reads every export once, which runs lazy getters: `node:crypto`'s
// facade loads webcrypto, X509 and a dozen internal modules a start never uses (~7 ms of facades in an
// embedded `topics --list`). require() returns the builtin's own object instead. Builtins that only
// rare paths call (a server's TLS and SASL, gzip, the checkpoint thread, group member ids) load on
// first use: their export names are listed here at build time, so binding the import loads nothing.
const RARE_BUILTINS = ['crypto', 'zlib', 'worker_threads', 'tls', 'net', 'timers/promises', 'child_process', 'perf_hooks', 'readline']
const builtinRequire = createRequire(import.meta.url)
const rareBuiltin = (name) => RARE_BUILTINS.includes(name.replace(/^node:/, ''))
const lazyBuiltinSource = (name) => `let real
const load = () => (real ??= require(${JSON.stringify(name)}))
const names = ${JSON.stringify(Object.getOwnPropertyNames(builtinRequire(name)))}
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => names.includes(key) || key in load(),
  ownKeys: () => names,
  getOwnPropertyDescriptor: (_, key) => (names.includes(key) ? { configurable: true, enumerable: true, writable: true, value: undefined } : undefined),
})
`
const builtinsViaRequire = {
  name: 'builtins-via-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      if (args.namespace === 'builtin' || args.kind !== 'import-statement' || /[\\/]node_modules[\\/]/.test(args.importer)) return undefined
      return { path: args.path, namespace: 'builtin' }
    })
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: rareBuiltin(args.path) ? lazyBuiltinSource(args.path) : `module.exports = require(${JSON.stringify(args.path)})`,
      loader: 'js',
    }))
    // oclif's own require() of builtins it calls only on rare paths (Windows shell detection, --perf
    // timings, flags read from stdin).
    b.onResolve({ filter: /^node:(child_process|perf_hooks|readline)$/ }, (args) => {
      if (args.namespace === 'builtin' || !/[\\/]@oclif[\\/]core[\\/]/.test(args.importer)) return undefined
      return { path: args.path, namespace: 'builtin' }
    })
  },
}
// oclif sorts the commands it loads with String#localeCompare. The first localeCompare of a process sets
// up ICU's collator: 60–160 ms on this project's shared 2-core machine, as much as starting node itself.
// Command ids are ASCII; code-point order sorts them the same way.
const LOCALE_SORT = 'a.id.localeCompare(b.id)'
const oclifSortWithoutIcu = {
  name: 'oclif-sort-without-icu',
  setup(b) {
    b.onLoad({ filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8')
      if (!source.includes(LOCALE_SORT)) {
        return { contents: source, loader: 'js', warnings: [{ text: `${LOCALE_SORT} not found: oclif changed, its command sort uses ICU again` }] }
      }
      return { contents: source.replace(LOCALE_SORT, '(a.id < b.id ? -1 : a.id > b.id ? 1 : 0)'), loader: 'js' }
    })
  },
}
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
const external = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)].filter((d) => d !== '@oclif/core')
const result = await build({
  entryPoints,
  // outbase src + outdir dist: commands land in dist/commands/ (where oclif looks), chunks beside them.
  outbase: path.join(root, 'src'),
  outdir: path.join(root, 'dist'),
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: [...external, 'typescript', 'ts-node', 'pnpapi', 'semver'],
  // CommonJS code bundled into ESM (oclif) still require()s its external packages and node builtins.
  banner: { js: "import { createRequire as __kafkaTsCreateRequire } from 'node:module'; const require = __kafkaTsCreateRequire(import.meta.url);" },
  plugins: [builtinsViaRequire, lazyOclifDeps, oclifSortWithoutIcu],
  sourcemap: true,
  allowOverwrite: true,
  logLevel: 'warning',
  // BUNDLE_META=file writes esbuild's metafile (what each output holds) for size investigations.
  metafile: !!process.env.BUNDLE_META,
})
console.log(`bundled ${entryPoints.length} entry points`)
if (process.env.BUNDLE_META) fs.writeFileSync(process.env.BUNDLE_META, JSON.stringify(result.metafile))
