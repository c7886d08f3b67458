// V8's code cache for the CommonJS bundle bin/run.js starts (dist/cli.cjs: oclif, the commands, the
// broker): Node 20 gives V8 a code cache for scripts only, not for ES modules, and parsing and compiling
// was the largest part of a start. The
// cache (`<file>.v8cache`) is written at build time by scripts/code-cache.js; V8 then deserializes the
// functions instead of parsing and compiling them. A cache from another Node or other V8 flags is
// rejected by V8, and the file compiles as it would without one.
import module, { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
// By require, as in bin/run.js: fs's ES module facade would load the stream modules.
const { readFileSync, writeFileSync } = require('node:fs')
const path = require('node:path')
const vm = require('node:vm')

/** Compiles `file` as a CommonJS module body, with the code cache beside it when there is one. */
export function compileWithCodeCache(file) {
  const cacheFile = `${file}.v8cache`
  let cachedData
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    // no cache: V8 compiles
  }
  // module.wrap's parameters, plus an import() for ES modules (oclif's command stubs, ESM-only packages):
  // Node 20 runs a script that came from a code cache without its dynamic import() callback
  // (scripts/bundle-commands.js rewrites the bundle's import( to call this parameter).
  // Read as latin1: scripts/bundle-commands.js leaves the bundle pure ASCII (\u escapes), where latin1 and
  // UTF-8 read the same, and latin1 skips UTF-8's decoding of 1.3 MB (~1 ms of a start).
  const source = `(function (exports, require, module, __filename, __dirname, __kafkaTsImport) {${readFileSync(file, 'latin1')}\n})`
  return { script: new vm.Script(source, { filename: file, cachedData }), cacheFile }
}

/**
 * require(file) through its code cache. The module lands in require's cache under its resolved name,
 * so the command stubs' require of dist/cli.cjs gets this same instance.
 */
export function requireWithCodeCache(file) {
  const { script, cacheFile } = compileWithCodeCache(file)
  const m = new module.Module(file)
  m.filename = file
  m.paths = module.Module._nodeModulePaths(path.dirname(file))
  module.Module._cache[file] = m
  const importModule = (specifier) => import(specifier)
  script.runInThisContext().call(m.exports, m.exports, createRequire(file), m, file, path.dirname(file), importModule)
  m.loaded = true
  // scripts/code-cache.js: taken at exit, the cache holds every function the command ran.
  if (process.env.KAFKA_TS_WRITE_CODE_CACHE === '1') process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()))
  return m.exports
}
