/**
 * Child processes of the benchmark: each runs one file under tsx, pinned to one core with `taskset`, with its
 * file-descriptor limit raised to the hard limit, and talks to the parent over IPC (request → response).
 * Every child is killed when the parent exits, however it exits; a child exits when its parent goes away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  call<T>(op: string, args?: unknown, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}
let guarded = false;
/** In the parent, once it starts a child: kill every child on the way out. (Children import this file too.) */
function guard(): void {
  if (guarded) return;
  guarded = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      // Ask first, so children remove their temp data; whatever is still there after 3 s is killed.
      const exits = [...live].map((child) => new Promise((resolve) => child.once('exit', resolve)));
      for (const child of live) child.kill('SIGTERM');
      const timer = setTimeout(() => process.exit(130), 3_000);
      void Promise.all(exits).then(() => {
        clearTimeout(timer);
        process.exit(130);
      });
    });
  }
}

/** Extra node flags for server children, e.g. --cpu-prof (set by `bench/run.ts --cpu-prof DIR`). */
export const serverNodeFlags: string[] = [];

/** Starts `bench/pipeline/<file>` pinned to `core` (or unpinned when core is undefined). */
export function startChild(file: string, name: string, core: number | undefined, nodeFlags: string[] = []): Child {
  guard();
  const script = path.join(root, 'bench', 'pipeline', file);
  const node = [process.execPath, '--expose-gc', ...nodeFlags, '--import', 'tsx', script];
  const command = core === undefined ? node : ['taskset', '-c', String(core), ...node];
  // sh raises the soft fd limit to the hard one (1,000 sockets per side need ~2,100), then execs the command.
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', ...command], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_CHILD: name },
  });
  live.add(child);
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  child.on('message', (message: Reply) => {
    const p = pending.get(message.id);
    if (!p) return;
    pending.delete(message.id);
    if (message.ok) p.resolve(message.result);
    else p.reject(new Error(`${name}: ${message.error}`));
  });
  child.on('exit', (code, signal) => {
    live.delete(child);
    failAll(new Error(`${name} exited (code ${code}, signal ${signal})`));
  });
  child.on('error', (error) => failAll(error));

  return {
    name,
    pid: child.pid ?? -1,
    call<T>(op: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: "${op}" timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ id, op, args });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

type Handler = (args: any) => unknown;

/** One line: the error and the chain of its causes. */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 5; e = e instanceof Error ? e.cause : undefined) {
    parts.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
  return parts.join(' ← caused by ');
}

/** In a child: answers the parent's requests with `handlers`; exits when the parent goes away or says SIGTERM. */
export function serve(handlers: Record<string, Handler>, onExit?: () => unknown): void {
  let exiting = false;
  const exit = async () => {
    if (exiting) return;
    exiting = true;
    const timer = setTimeout(() => process.exit(0), 3_000);
    timer.unref();
    try {
      await onExit?.();
    } finally {
      process.exit(0);
    }
  };
  process.on('disconnect', exit);
  process.on('SIGTERM', exit);
  process.on('message', async (message: { id: number; op: string; args: unknown }) => {
    const handler = handlers[message.op];
    try {
      if (!handler) throw new Error(`unknown op "${message.op}"`);
      const result = await handler(message.args);
      process.send?.({ id: message.id, ok: true, result });
    } catch (error) {
      process.send?.({ id: message.id, ok: false, error: describe(error) });
    }
  });
}
