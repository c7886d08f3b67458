#!/usr/bin/env node
// Bundles the CLI's runtime into dist/: oclif as one CommonJS file (dist/oclif.cjs, which bin/run.js
// loads), and as ES modules each command (dist/commands/, where oclif finds them), the help class and
// the hooks oclif loads by path.
// Why, for cold start (`kafka-ts topics --list` runs dozens of times in a shell script):
// - Node loads ESM modules one file at a time; a command touching ~40 project modules paid ~35 ms for that.
// - @oclif/core is bundled too, into one CommonJS file (dist/oclif.cjs) instead of ~70 resolved one by
//   one. CommonJS because Node 20 can only give V8 a code cache for scripts, not for ES modules: bin/run.js
//   loads dist/oclif.cjs with the cache scripts/code-cache.js writes at build time, which skips parsing
//   and compiling most of oclif (the largest part of a start). The ESM bundle reaches it as `#oclif`
//   (package.json "imports"). Other npm packages stay external: native addons, remote mode's library.
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
// Modules oclif loads by path besides the commands: the help class, hooks.
for (const m of ['help.ts', 'hooks/command-not-found.ts']) entryPoints.push(path.join(root, 'src', 'cli', m))
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
// Node's built-in modules as ES modules import them: the project's modules, and the ESM packages bundled
// with oclif (its platform check imports wsl-utils). An `import` of a builtin makes Node build an ES module
// facade that reads every export once, which runs lazy getters: node:crypto's loads webcrypto, X509 and a
// dozen internal modules, node:fs's its streams, node:process's opens process.stdin (~13 ms of facades in
// an embedded `topics --list`). require() returns the builtin's own object instead. Builtins that only
// rare paths call (a server's TLS and SASL, gzip, the checkpoint thread, group member ids) load on first
// use: their export names are listed here at build time, so binding the import loads nothing.
// CommonJS packages imported by the project (better-sqlite3) are required too: importing one from ESM
// loads cjs-module-lexer to guess its named exports.
const CJS_PACKAGES = ['better-sqlite3']
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
      if (args.namespace === 'builtin' || args.kind !== 'import-statement') return undefined
      return { path: args.path, namespace: 'builtin' }
    })
    b.onResolve({ filter: new RegExp(`^(${CJS_PACKAGES.join('|')})$`) }, (args) => {
      if (args.namespace === 'builtin' || args.kind !== 'import-statement') return undefined
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
// The project's `import { Command } from '@oclif/core'` becomes a require of the one CommonJS oclif.
const oclifViaRequire = {
  name: 'oclif-via-require',
  setup(b) {
    b.onResolve({ filter: /^@oclif\/core$/ }, (args) => ({ path: args.path, namespace: 'oclif-cjs' }))
    b.onLoad({ filter: /.*/, namespace: 'oclif-cjs' }, () => ({ contents: "module.exports = require('#oclif')", loader: 'js' }))
  },
}
const oclifOut = path.join(root, 'dist', 'oclif.cjs')
await build({
  entryPoints: [oclifRequire.resolve('@oclif/core')],
  outfile: oclifOut,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['typescript', 'ts-node', 'pnpapi', 'semver'],
  plugins: [builtinsViaRequire, lazyOclifDeps, oclifSortWithoutIcu],
  sourcemap: true,
  logLevel: 'warning',
})
// oclif import()s commands, hooks and the help class (ES modules) by file URL. Node 20 runs a script
// compiled with a code cache without its dynamic import() callback ("A dynamic import callback was not
// specified"), so bin/run.js passes an import function in as a parameter of the module wrapper instead.
const oclifSource = fs.readFileSync(oclifOut, 'utf8')
const dynamicImports = oclifSource.match(/\bawait import\(/g)?.length ?? 0
if (dynamicImports < 3) throw new Error(`dist/oclif.cjs: expected oclif's import() calls (module loader), found ${dynamicImports}`)
fs.writeFileSync(oclifOut, oclifSource.replace(/\bawait import\(/g, 'await __kafkaTsImport('))
// V8 checks a code cache against its source's length only: a cache left from an older dist/oclif.cjs
// must not outlive it (scripts/code-cache.js writes the new one).
fs.rmSync(`${oclifOut}.v8cache`, { force: true })
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
  external: [...external, '#oclif'],
  // Builtins, CommonJS packages and oclif are require()d (see the plugins above).
  banner: { js: "import { createRequire as __kafkaTsCreateRequire } from 'node:module'; const require = __kafkaTsCreateRequire(import.meta.url);" },
  plugins: [builtinsViaRequire, oclifViaRequire],
  sourcemap: true,
  allowOverwrite: true,
  logLevel: 'warning',
  // BUNDLE_META=file writes esbuild's metafile (what each output holds) for size investigations.
  metafile: !!process.env.BUNDLE_META,
})
console.log(`bundled ${entryPoints.length} entry points`)
if (process.env.BUNDLE_META) fs.writeFileSync(process.env.BUNDLE_META, JSON.stringify(result.metafile))
