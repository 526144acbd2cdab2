/**
 * For tests that run the production build as an operator would (`node dist/node/server/index.js`): builds the server
 * once before the file's tests and kills, after each test, any child it spawned that is still running. Call at the
 * top level of a test file; `track` each spawned child.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeAll } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BUILT_ENTRY = path.join(ROOT, 'dist/node/server/index.js');

export function useBuiltServer(): { track: <C extends ChildProcess>(child: C) => C } {
  const running: ChildProcess[] = [];
  afterEach(() => {
    for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  beforeAll(() => {
    execFileSync('npm', ['run', '--silent', 'build:server'], { cwd: ROOT, stdio: 'inherit' });
  }, 120_000);
  return {
    track(child) {
      running.push(child);
      return child;
    },
  };
}
