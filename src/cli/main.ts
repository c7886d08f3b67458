// The CLI's runtime entry (bin/run.js imports the bundled dist/cli/main.js): oclif is bundled into
// the same chunk the commands import, so a start loads one file of oclif instead of ~70 CommonJS modules.
export { execute } from '@oclif/core'
