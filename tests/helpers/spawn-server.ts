/** Runs tests/helpers/server-child.ts in a process of its own, for tests that signal or kill it. */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Writable } from 'node:stream';
import path from 'node:path';
import type { Readable } from 'node:stream';

const children: Array<ChildProcessByStdio<Writable, Readable, null>> = [];

/** Kills whatever a test left running (call from afterEach). */
export function killChildren(): void {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Starts a server on `dataDir`; `listening` resolves once its port is open, `url` once it is ready. */
export function startChild(dataDir: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'server-child.ts'), dataDir], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const line = (key: 'listening' | 'url') =>
    new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        for (const l of out.split('\n')) {
          if (!l.startsWith('{')) continue;
          const found = (JSON.parse(l) as Record<string, string>)[key];
          if (found) return resolve(found);
        }
      });
      void exited.then(({ code }) => reject(new Error(`server exited early with ${code}`)));
    });
  const listening = line('listening');
  const url = line('url');
  // Handled here too: a test that only waits for `url` must not see the other one's rejection as unhandled.
  listening.catch(() => undefined);
  return { child, listening, url, exited, output: () => output };
}
