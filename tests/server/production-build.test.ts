/**
 * `npm start` runs the build with plain node (no tsx, which kills its child ~30 ms after SIGTERM): the build
 * starts, serves, and stops cleanly on SIGTERM; a second signal exits at once.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BUILT_ENTRY, ROOT, useBuiltServer } from '../helpers/built-server.js';
import { describe, expect, it } from 'vitest';

const { track } = useBuiltServer();
const root = ROOT;
const entry = BUILT_ENTRY;

function start(env: Record<string, string> = {}, dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-build-'))) {
  const child = spawn(process.execPath, [entry, '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH, ADMIN_PASSWORD: 'production-build-test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const found = /诉源治理指挥中心 · (http:\/\/\S+)/.exec(out);
      if (found) resolve(found[1]!);
    });
    void exited.then(() => reject(new Error(`exited before listening:\n${out}`)));
  });
  return { child, url, exited, output: () => out };
}

describe('the production build', () => {
  it('runs under plain node and stops with exit 0 on SIGTERM', async () => {
    const server = start();
    const url = await server.url;
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready' });
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('SIGTERM: shutting down');
    expect(server.output()).not.toMatch(/\bat .+\.js:\d+/); // no stack trace
  }, 120_000);

  it('refuses a data dir written by a later release: exit 2, one "cannot start" line, no stack trace', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-build-newer-'));
    fs.mkdirSync(path.join(dataDir, 'longgang'));
    const db = new Database(path.join(dataDir, 'longgang', 'events.db'));
    db.pragma('user_version = 9');
    db.close();
    const server = start({}, dataDir);
    server.url.catch(() => undefined);
    expect(await server.exited).toEqual({ code: 2, signal: null });
    expect(server.output()).toMatch(/^cannot start: the event log .*events\.db has schema version 9, newer than this release knows \(1\)/m);
    expect(server.output()).not.toMatch(/\bat .+\.js:\d+/);
  }, 120_000);

  /** A request whose body never finishes arriving: in flight until the server gives up on it. */
  async function stalledRequest(url: string) {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /api/auth/login HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user`);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    // Give the server time to see the headers (the request is then in flight).
    await new Promise((resolve) => setTimeout(resolve, 300));
    // In an object: an async function returning the promise itself would wait for it.
    return { closed };
  }

  it('waits for a request in flight up to SHUTDOWN_TIMEOUT_SECONDS, then cuts it and still exits 0', async () => {
    const server = start({ SHUTDOWN_TIMEOUT_SECONDS: '1', LOG_LEVEL: 'warn' });
    const url = await server.url;
    const stalled = await stalledRequest(url);
    server.child.kill('SIGTERM');
    await stalled.closed;
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('requests still in flight at the shutdown deadline are cut');
  }, 120_000);

  it('exits at once on a second signal', async () => {
    const server = start({ SHUTDOWN_TIMEOUT_SECONDS: '600' });
    const url = await server.url;
    await stalledRequest(url);
    server.child.kill('SIGTERM');
    while (!server.output().includes('SIGTERM: shutting down')) await new Promise((resolve) => setTimeout(resolve, 20));
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 143, signal: null });
    expect(server.output()).toContain('SIGTERM again: exiting now');
  }, 120_000);
});
