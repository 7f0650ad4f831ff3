// Starts and stops the LiveKit stand-in (tests/standin/livekit_standin.py) for the conformance
// tests. Not a test file itself (node --test runs only *.test.mjs here).

import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = process.env.ROOMCTL_SOURCE_DIR || path.resolve(here, '..', '..', '..');
const STANDIN = path.join(SOURCE_DIR, 'tests', 'standin', 'livekit_standin.py');

// `keys`: "key:secret[,key:secret...]"; `args`: more stand-in flags (e.g. --auto-create false).
// Resolves once the stand-in has written its port and printed its "listening" line, to
// { child, dir, port, url, stdout(), stderr() }; rejects within 15 s otherwise (killing it).
export async function startStandin({ keys, args = [] }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'livekit-standin-'));
  const portFile = path.join(dir, 'port');
  const child = spawn('/usr/bin/python3',
    [STANDIN, '--host', '127.0.0.1', '--port', '0', '--port-file', portFile, '--keys', keys,
      ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`stand-in exited early (${child.exitCode ?? child.signalCode}): ${stderr}`);
    }
    try {
      const port = Number.parseInt((await readFile(portFile, 'utf8')).trim(), 10);
      if (port > 0 && stdout.includes('\n')) {
        return {
          child, dir, port, url: `http://127.0.0.1:${port}`, stdout: () => stdout, stderr: () => stderr,
        };
      }
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`stand-in did not start within 15 s: ${stderr}`);
    }
    await sleep(50);
  }
}

// SIGTERM (SIGKILL after 5 s), then removes its directory. Accepts undefined.
export async function stopStandin(s) {
  if (!s) return;
  if (s.child.exitCode === null && s.child.signalCode === null) {
    const exited = once(s.child, 'exit');
    s.child.kill('SIGTERM');
    const timer = setTimeout(() => s.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  await rm(s.dir, { recursive: true, force: true });
}
