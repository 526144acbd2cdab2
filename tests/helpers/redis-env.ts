/**
 * Redis for the cluster tests: a private redis-server process per suite, on a free loopback port, that a test can
 * stop and start again on the same port (a real Redis restart) without touching the machine's own Redis.
 * Off CI a missing redis-server skips the suite with the reason; on CI it is a failure (.ci/run installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createClient } from 'redis';
import { onCi } from './pg-env.js';

const BINARY = 'redis-server';

/** Off CI: warn and return the reason (the caller skips); on CI: throw. */
export function requireRedis(suite: string): string | undefined {
  const found = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return undefined;
  const why = `no ${BINARY} on PATH (apt-get install redis-server)`;
  if (onCi) throw new Error(`CI must run the ${suite}, but there is ${why}`);
  console.warn(`[${suite}] SKIPPED: ${why}`);
  return why;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function answers(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { connectTimeout: 500, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

export interface TestRedis {
  url: string;
  /** Starts the server (again) on the same port, unless it runs; resolves when it answers. */
  start(): Promise<void>;
  /** Kills it (SIGKILL: no goodbye to its clients) and resolves when it is gone. */
  kill(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const redis: TestRedis = {
    url,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      const proc = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
      child = proc;
      const deadline = Date.now() + 10_000;
      while (!(await answers(url))) {
        if (proc.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${proc.exitCode}`);
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async kill() {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await gone;
    },
  };
  await redis.start();
  return redis;
}
