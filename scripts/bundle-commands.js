#!/usr/bin/env node
// Bundles the CLI's runtime into one CommonJS file, dist/cli.cjs: oclif, every command, the help class,
// the hooks, the broker and both clients. Why, for cold start (`kafka-ts topics --list` runs dozens of
// times in a shell script):
// - Node 20 gives V8 a code cache for scripts only, not for ES modules, and parsing and compiling was the
//   largest part of a start. bin/run.js loads dist/cli.cjs through the cache scripts/code-cache.js writes
//   at build time (bin/code-cache.js): V8 deserializes the functions a start runs instead of compiling them.
// - One file instead of ~40 project modules and ~70 of oclif's, each resolved and read on its own.
// - Each module oclif loads by path (commands, help class, hooks) sits behind an import() in the bundle's
//   entry, which esbuild turns into a lazy initialiser: a start runs the top level of its command and of
//   what that command imports, nothing else. Remote mode's client (src/client/remote) is imported on
//   demand, so an embedded `topics --list` never runs it. oclif finds each of
//   those modules as a small ES module stub in dist/ (written below) that takes it from dist/cli.cjs.
// - npm packages other than oclif stay external: native addons, ESM-only packages.
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
const LAZY = ['minimatch', 'tinyglobby', 'ejs', 'cli-spinners', 'wrap-ansi', 'supports-color']
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
// Node builtins that only rare paths call (a server's TLS and SASL, gzip, the checkpoint thread, group
// member ids; oclif's Windows shell detection, --perf timings, flags read from stdin) load on first use:
// the modules importing them are initialised at start (node:crypto alone is ~20 internal modules). Their
// export names are listed here at build time, so binding an import loads nothing. Other builtins are
// plain require()s in the CommonJS bundle (an ES module import would build a facade reading every
// export, which runs lazy getters).
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
const lazyRareBuiltins = {
  name: 'lazy-rare-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      if (args.namespace === 'builtin' || args.kind !== 'import-statement' || !rareBuiltin(args.path)) return undefined
      return { path: args.path, namespace: 'builtin' }
    })
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: lazyBuiltinSource(args.path), loader: 'js' }))
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
// Two packages oclif calls at every start for answers a Linux or macOS start does not need from them:
// - wsl-utils, asked `isWsl` by Config.load (getPlatform): its powershell-utils imports node:child_process
//   at its top (with dgram and ~15 internal modules) for a PowerShell path only Windows shells use. The
//   stand-in answers isWsl with is-wsl itself and loads wsl-utils only for powerShellPath.
// - debug, called for every oclif logger: its node backend loads tty, os and supports-color to colour
//   output nobody sees unless DEBUG is set. Without DEBUG the stand-in hands out disabled no-op loggers;
//   with DEBUG it is the real package.
const oclifStandIns = {
  name: 'oclif-stand-ins',
  setup(b) {
    b.onResolve({ filter: /^(wsl-utils|debug)$/ }, (args) => {
      if (args.pluginData?.real || !/[\\/]@oclif[\\/]core[\\/]/.test(args.importer)) return undefined
      return { path: args.path, namespace: 'oclif-stand-in', pluginData: { resolveDir: path.dirname(args.importer) } }
    })
    b.onLoad({ filter: /.*/, namespace: 'oclif-stand-in' }, (args) => {
      const real = JSON.stringify(oclifRequire.resolve(args.path))
      const contents =
        args.path === 'wsl-utils'
          ? `export { default as isWsl } from 'is-wsl'
export const powerShellPath = async () => (await import(${real})).powerShellPath()
`
          : `let real
const load = () => (real ??= require(${real}))
const wanted = Boolean(process.env.DEBUG)
function createDebug(namespace) {
  if (wanted) return load()(namespace)
  const off = () => {}
  return Object.assign(off, { enabled: false, namespace, log: off, extend: (sub, delimiter = ':') => createDebug(namespace + delimiter + sub) })
}
module.exports = createDebug
`
      return { contents, resolveDir: path.dirname(oclifRequire.resolve(args.path)), loader: 'js', pluginData: { real: true } }
    })
  },
}
// better-sqlite3's JavaScript (a dozen small CommonJS files, each resolved, read and compiled at every
// start) is bundled too; its native addon stays where npm built it. The package finds the addon with the
// `bindings` package, which guesses the package's root from a stack trace (dist/ once bundled): the
// bundle loads build/Release/better_sqlite3.node directly, and asks `bindings` with the real root if
// the addon was built somewhere else.
const SQLITE_ADDON_LOOKUP = "require('bindings')('better_sqlite3.node')"
const sqliteAddonFromPackage = {
  name: 'sqlite-addon-from-package',
  setup(b) {
    b.onLoad({ filter: /[\\/]better-sqlite3[\\/]lib[\\/]database\.js$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8')
      if (!source.includes(SQLITE_ADDON_LOOKUP)) throw new Error(`${args.path}: ${SQLITE_ADDON_LOOKUP} not found (better-sqlite3 changed)`)
      const load = `(() => {
  const root = path.dirname(require.resolve('better-sqlite3/package.json'))
  try {
    return require(path.join(root, 'build', 'Release', 'better_sqlite3.node'))
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e
    return require(require('node:module').createRequire(path.join(root, 'package.json')).resolve('bindings'))({ bindings: 'better_sqlite3.node', module_root: root })
  }
})()`
      return { contents: source.replace(SQLITE_ADDON_LOOKUP, load), loader: 'js' }
    })
  },
}
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
const external = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)].filter((d) => d !== '@oclif/core' && d !== 'better-sqlite3')
// The one entry: oclif's execute() for bin/run.js, and each module oclif loads by path behind an import()
// of its own, which esbuild turns into a lazy initialiser, so a start runs only the command it was given.
const modules = entryPoints.map((file) => path.relative(path.join(root, 'src'), file).replace(/\.ts$/, ''))
const entry = [
  "export { execute } from '@oclif/core'",
  'export const modules = {',
  ...modules.map((m) => `  ${JSON.stringify(m)}: () => import(${JSON.stringify(`./${m}.js`)}),`),
  '}',
].join('\n')
const cliOut = path.join(root, 'dist', 'cli.cjs')
const result = await build({
  stdin: { contents: entry, resolveDir: path.join(root, 'src'), sourcefile: 'cli-entry.ts', loader: 'ts' },
  outfile: cliOut,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: [...external, 'better-sqlite3/package.json', 'typescript', 'ts-node', 'pnpapi', 'semver'],
  // createRequire(import.meta.url) in the project's modules (codecs, crc32c, the checkpoint worker).
  define: { 'import.meta.url': '__kafkaTsModuleUrl' },
  banner: { js: "var __kafkaTsModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyRareBuiltins, lazyOclifDeps, oclifStandIns, oclifSortWithoutIcu, sqliteAddonFromPackage],
  // Smaller source, fewer pages touched at start (the source stays in memory beside its code cache);
  // names stay as written, for stack traces and class names.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
  // BUNDLE_META=file writes esbuild's metafile (what each output holds) for size investigations.
  metafile: !!process.env.BUNDLE_META,
})
if (process.env.BUNDLE_META) fs.writeFileSync(process.env.BUNDLE_META, JSON.stringify(result.metafile))

// What is left of import() in the bundle loads ES modules: oclif's module loader (the command stubs
// below, by file URL) and the ESM-only packages the project imports on demand (ora, chalk, prompts).
// Node 20 runs a script that came from a code cache without its dynamic import() callback ("A dynamic
// import callback was not specified"), so bin/code-cache.js passes an import function in as a parameter
// of the module wrapper. Its import() resolves packages from bin/, as from dist/: the same node_modules.
let source = fs.readFileSync(cliOut, 'utf8')
let dynamicImports = 0
source = source.replace(/(?<![\w$.'"`])import\(/g, () => {
  dynamicImports++
  return '__kafkaTsImport('
})
if (dynamicImports < 3) throw new Error(`dist/cli.cjs: expected oclif's import() calls (module loader), found ${dynamicImports}`)
// One byte per character: a source with any non-ASCII character (oclif's ANSI regex, comments) becomes a
// two-byte string, slower to read and to hash; bin/code-cache.js reads it as latin1, which only ASCII makes
// right. \u escapes mean the same in strings, regexes and comments.
source = source.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
fs.writeFileSync(cliOut, source)
// V8 checks a code cache against its source's length only: a cache left from an older dist/cli.cjs must
// not outlive it (scripts/code-cache.js writes the new one).
fs.rmSync(`${cliOut}.v8cache`, { force: true })

// oclif imports commands, the help class and hooks by path, as ES modules (oclif.manifest.json says so):
// each is a stub that takes its module from dist/cli.cjs.
for (const m of modules) {
  const stub = path.join(root, 'dist', `${m}.js`)
  const cli = path.relative(path.dirname(stub), cliOut).split(path.sep).join('/')
  fs.mkdirSync(path.dirname(stub), { recursive: true })
  fs.writeFileSync(
    stub,
    `// Written by scripts/bundle-commands.js: src/${m}.ts lives in dist/cli.cjs.
import { createRequire } from 'node:module'

const { modules } = createRequire(import.meta.url)(${JSON.stringify(cli.startsWith('.') ? cli : `./${cli}`)})
export default (await modules[${JSON.stringify(m)}]()).default
`,
  )
  fs.rmSync(`${stub}.map`, { force: true })
}
console.log(`bundled dist/cli.cjs: ${modules.length} modules oclif loads by path, ${dynamicImports} import() calls`)
