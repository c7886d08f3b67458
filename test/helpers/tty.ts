import { spawn } from 'node:child_process'
import fs from 'node:fs'

import { BIN } from './cli.js'

// Runs `kafka-ts` on a pseudo-terminal (python3's pty module), so prompts and terminal-only paths
// run as a person at a terminal sees them. Steps alternate between waiting for text in the output and
// typing; the process then runs to its end.

export const PYTHON = '/usr/bin/python3'
export const ttyAvailable = fs.existsSync(PYTHON)

export type TtyStep = { readonly expect: string } | { readonly type: string }

export interface TtyResult {
  readonly code: number
  /** Everything written to the terminal (stdout and stderr, with the echo of what was typed). */
  readonly output: string
}

const DRIVER = String.raw`
import json, os, pty, select, sys, time
steps = json.loads(sys.argv[1])
argv = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out = b''
def pump(deadline, until=None):
    global out
    while time.time() < deadline:
        if until is not None and until in out:
            return True
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            out += data
    return until is None
for step in steps:
    if 'expect' in step:
        if not pump(time.time() + 20, step['expect'].encode()):
            sys.stdout.buffer.write(out)
            sys.stderr.write('timed out waiting for %r\n' % step['expect'])
            os.kill(pid, 9)
            sys.exit(99)
    else:
        os.write(fd, step['type'].encode())
pump(time.time() + 30)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status) & 0xff)
`

/** `kafka-ts <args>` on a terminal, driven by `steps`. */
export function runOnTty(args: readonly string[], steps: readonly TtyStep[], env: NodeJS.ProcessEnv = {}): Promise<TtyResult> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TERM: 'dumb', ...env }
    delete childEnv['CI']
    delete childEnv['FORCE_COLOR']
    const child = spawn(PYTHON, ['-c', DRIVER, JSON.stringify(steps), process.execPath, BIN, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let err = ''
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 99) reject(new Error(`${err}${Buffer.concat(out).toString('utf8')}`))
      else resolve({ code: code ?? -1, output: Buffer.concat(out).toString('utf8') })
    })
  })
}
